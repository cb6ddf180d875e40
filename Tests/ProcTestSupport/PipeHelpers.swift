import CProcShim

/// A close-on-exec pipe: (read end, write end).
public func makePipe() throws -> (Int32, Int32) {
    var fds: [Int32] = [-1, -1]
    let rc = pc_pipe(&fds)
    guard rc == 0 else { throw HarnessError("pipe2: errno \(rc)") }
    return (fds[0], fds[1])
}

/// Reads exactly `length` bytes, waiting at most `seconds` for them; fewer on timeout or
/// end of file.
public func read(_ fd: Int32, exactly length: Int, within seconds: Double = 10) -> [UInt8] {
    let deadline = pc_monotonic_ns() + Int64(seconds * 1e9)
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while bytes.count < length {
        let left = Int32(max(0, (deadline - pc_monotonic_ns()) / 1_000_000))
        var revents: Int16 = 0
        guard pc_poll_one(fd, Int16(POLLIN), left, &revents) == 0, revents != 0 else { break }
        var count = 0
        let wanted = min(chunk.count, length - bytes.count)
        let rc = chunk.withUnsafeMutableBytes { pc_read(fd, $0.baseAddress, wanted, &count) }
        if rc != 0 || count == 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    return bytes
}

/// Reads everything that is waiting in `fd` without blocking (once the writers have
/// ended): immune to a copy of the write end held by a process another test forked.
public func drain(_ fd: Int32) -> [UInt8] {
    _ = pc_set_nonblocking(fd, true)
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    for _ in 0..<1024 {
        var count = 0
        let rc = chunk.withUnsafeMutableBytes { pc_read(fd, $0.baseAddress, $0.count, &count) }
        if rc != 0 || count == 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    return bytes
}

/// The text of some bytes (invalid UTF-8 repaired).
public func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
