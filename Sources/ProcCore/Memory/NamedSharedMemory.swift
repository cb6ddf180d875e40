import CProcShim

import Glibc

/// A block of shared memory that any process may attach to by name, as Python's
/// `multiprocessing.shared_memory.SharedMemory`: a POSIX shared memory object
/// (shm_open(3), the file `/dev/shm/<name>`), named and laid out as Python names and lays
/// it out, so that a block Python created is read and written here and the other way round.
///
/// ```swift
/// let block = try NamedSharedMemory(creatingWithName: nil, size: 1024)   // "psm_…"
/// block.bytes[0] = 42
/// // Python: SharedMemory(name=block.name).buf[0] == 42
/// ```
///
/// Names: `name` is given without the leading `/` (Python's `.name`), which is added for
/// shm_open; a created block without a name gets Python's kind of random one, `psm_` and
/// ten hex digits. Layout: the bytes are the object's, from offset 0; `size` is the
/// object's size (st_size) when attaching, as Python reads it (Python, on Linux, does not
/// round it to pages either).
///
/// Who unlinks when: a name lasts until some process calls `unlink()`, not when its
/// creator ends or its handles close (as in Python, where only the creator should call
/// `unlink()`). With `unlinkWhenCreatorEnds`, the creator starts a small watcher process
/// that unlinks the name when the creator ends in any way (crash and SIGKILL included) or
/// drops this object without `unlink()`: a crashed creator leaves nothing behind. Python's
/// own safety net differs: its resource tracker unlinks, at exit, every block the process
/// created or (before 3.13) merely attached to; a Python 3.11/3.12 process that attaches
/// to a ProcCore block therefore unlinks it when it ends unless it calls
/// `resource_tracker.unregister(shm._name, "shared_memory")` (3.13: `track=False`).
///
/// The mapping is unmapped by `close()` or when the object goes away. Put only plain
/// values in it; forked children inherit the mapping.
public final class NamedSharedMemory: @unchecked Sendable {
    /// The block's name without the leading `/`, as Python's `SharedMemory.name`.
    public let name: String
    /// The shared bytes: `size` of them.
    public let bytes: UnsafeMutableRawBufferPointer
    /// The block's size in bytes.
    public var size: Int { bytes.count }
    /// Whether `close()` has been called (then `bytes` must not be touched).
    public private(set) var isClosed = false

    /// The watcher of `unlinkWhenCreatorEnds`: its pid and our end of its socket pair.
    private var watcher: (pid: pid_t, descriptor: Int32)?

    /// The prefix of Python's random names (`_SHM_NAME_PREFIX` without its `/`).
    static let randomNamePrefix = "psm_"

    /// Creates a block of `size` bytes (more than zero), zeroed, under `name`, or under a
    /// random `psm_` name when `name` is nil. EEXIST (`.systemCall`) when the name is taken.
    /// With `unlinkWhenCreatorEnds`, the name is unlinked when this process ends, however it
    /// ends, or when this object goes away without `unlink()` (see the type's comment).
    public init(creatingWithName name: String?, size: Int, unlinkWhenCreatorEnds: Bool = false) throws(ProcessError) {
        guard size > 0 else {
            throw ProcessError(.invalidArgument, operation: "shared memory of \(size) bytes: the size must be more than zero")
        }
        var fd: Int32 = -1
        var chosen = name ?? ""
        if let name {
            try Self.checkName(name)
            try check("shm_open /\(name)", pc_shm_create("/" + name, size, &fd))
        } else {
            // As Python does: another random name when one is taken.
            var result = EEXIST
            for _ in 0..<100 where result == EEXIST {
                chosen = Self.randomName()
                result = pc_shm_create("/" + chosen, size, &fd)
            }
            try check("shm_open /\(chosen)", result)
        }
        defer { _ = pc_close(fd) }
        var address: UnsafeMutableRawPointer?
        let mapped = pc_map_memfd(fd, size, &address)
        if mapped != 0 {
            _ = pc_shm_unlink("/" + chosen)
            throw .systemCall("mmap /\(chosen)", mapped)
        }
        self.name = chosen
        self.bytes = UnsafeMutableRawBufferPointer(start: address, count: size)
        if unlinkWhenCreatorEnds {
            var pid: pid_t = 0
            var descriptor: Int32 = -1
            let started = pc_shm_unlink_watcher("/" + chosen, &pid, &descriptor)
            if started != 0 {
                _ = pc_unmap(address!, size)
                _ = pc_shm_unlink("/" + chosen)
                isClosed = true
                throw .systemCall("start the unlink watcher of /\(chosen)", started)
            }
            watcher = (pid, descriptor)
        }
    }

    /// Attaches to the existing block `name` (without the leading `/`), mapping all of it.
    /// ENOENT (`.systemCall`) when there is none; `.invalidArgument` for an empty block,
    /// which Python cannot map either.
    public init(attachingTo name: String) throws(ProcessError) {
        try Self.checkName(name)
        var fd: Int32 = -1
        var size = 0
        try check("shm_open /\(name)", pc_shm_attach("/" + name, &fd, &size))
        defer { _ = pc_close(fd) }
        guard size > 0 else {
            throw ProcessError(.invalidArgument, operation: "shared memory /\(name) is empty: nothing to map")
        }
        var address: UnsafeMutableRawPointer?
        try check("mmap /\(name)", pc_map_memfd(fd, size, &address))
        self.name = name
        self.bytes = UnsafeMutableRawBufferPointer(start: address, count: size)
    }

    deinit {
        close()
        if let watcher { _ = pc_shm_watcher_end(watcher.pid, watcher.descriptor, true) }
    }

    /// Unmaps the block from this process (Python's `close()`); the name and the other
    /// processes' mappings are untouched. A second `close()` does nothing.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        if let base = bytes.baseAddress { _ = pc_unmap(base, bytes.count) }
    }

    /// Removes the name (Python's `unlink()`): no process can attach any more, and the
    /// memory is freed once every mapping is gone. ENOENT (`.systemCall`) when it was
    /// unlinked already. Ends the `unlinkWhenCreatorEnds` watcher.
    public func unlink() throws(ProcessError) {
        let result = pc_shm_unlink("/" + name)
        if let watcher {
            self.watcher = nil
            _ = pc_shm_watcher_end(watcher.pid, watcher.descriptor, false)
        }
        try check("shm_unlink /\(name)", result)
    }

    /// A name shm_open takes: not empty, no `/` (the leading one is added), under NAME_MAX.
    private static func checkName(_ name: String) throws(ProcessError) {
        guard !name.isEmpty, !name.contains("/"), !name.utf8.contains(0), name.utf8.count < 255 else {
            throw ProcessError(.invalidArgument, operation: "shared memory name \"\(name)\": it must be 1 to 254 bytes without '/'")
        }
    }

    /// `psm_` and ten hex digits: Python's `_make_filename()` without the leading `/`.
    private static func randomName() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = (0..<5).map { _ in
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            return String(byte >> 4, radix: 16) + String(byte & 0xf, radix: 16)
        }
        return randomNamePrefix + digits.joined()
    }
}
