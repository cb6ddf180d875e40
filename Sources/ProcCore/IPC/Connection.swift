import CProcShim
import SystemPackage

import Glibc

/// One end of a `Pipe`: whole messages to and from another process, as Python's
/// `multiprocessing.connection.Connection`, without pickle's "the sender chooses the code
/// that runs" (values are `Codable`, decoded as the type the receiver asks for).
///
/// A message is a length prefix and the bytes (see `FrameHeader`; the same framing as
/// Python's `send_bytes`). The bytes from the other end are untrusted: a frame that ends
/// early or has a bad header is `.corruptMessage`, bytes that do not decode as the type
/// asked for are `.undecodableMessage`, and memory for a message grows with the bytes that
/// have really arrived, never with what its header claims. When every process that held
/// the other end has closed it or ended, `receive` throws `.endOfStream` and `send`
/// throws `.endOfStream` (with errno EPIPE); neither hangs or raises SIGPIPE.
///
/// A forked child inherits both ends: as with any pipe, each process should close the end
/// it does not use, or end-of-stream never comes, and an end is read by one process (it
/// reads ahead: one read(2) brings a small message whole, and what it brought beyond that
/// message waits in this process for the next `receive`). The descriptor is closed by
/// `close()` or when the last reference in this process goes away. One thread at a time
/// uses an end.
public final class Connection {
    /// The end's socket or pipe descriptor (close-on-exec), for `waitForReady` or poll(2).
    public var descriptor: FileDescriptor { FileDescriptor(rawValue: rawDescriptor) }
    /// The same descriptor as a C `int`, for the shim's calls.
    package let rawDescriptor: Int32
    /// Whether this end can receive (false for the sending end of a one-way pipe).
    public let isReadable: Bool
    /// Whether this end can send (false for the receiving end of a one-way pipe).
    public let isWritable: Bool
    /// The longest message `receive` and `receiveBytes` accept; a longer one throws
    /// `.messageTooLarge` before its bytes are read (and the end can read no more). nil: no limit.
    public var maximumMessageLength: Int?

    /// Whether `close()` has been called.
    public private(set) var isClosed = false

    /// Whether bytes of a message have been read ahead and wait here (`poll` and
    /// `waitForReady` count them as ready).
    var hasBufferedBytes: Bool { readAhead.hasBytes }
    /// Set after a corrupt or refused frame: the stream is no longer at a message boundary.
    private var outOfStep = false
    /// Bytes read from the descriptor and not yet handed out.
    private let readAhead: ReadAheadBuffer
    /// Whether the descriptor is a Unix socket, which can carry descriptors.
    private let isSocket: Bool
    /// The encoder `send` writes with, kept between messages.
    private let spareEncoder = SpareEncoder()

    /// The first allocation for an incoming message: larger ones grow as their bytes arrive.
    private static let initialReceiveCapacity = 1 << 20

    /// Wraps a connected socket or pipe end, which now belongs to this Connection.
    public convenience init(adopting descriptor: FileDescriptor, readable: Bool = true, writable: Bool = true) {
        self.init(adopting: descriptor.rawValue, readable: readable, writable: writable)
    }

    /// `init(adopting:readable:writable:)` for a descriptor given as a C `int`.
    package init(adopting descriptor: Int32, readable: Bool = true, writable: Bool = true) {
        self.rawDescriptor = descriptor
        self.isReadable = readable
        self.isWritable = writable
        var status = stat()
        isSocket = fstat(descriptor, &status) == 0 && status.st_mode & S_IFMT == S_IFSOCK
        readAhead = ReadAheadBuffer(keepsDescriptors: isSocket)
    }

    deinit {
        if !isClosed { _ = pc_close(rawDescriptor) }
    }

    /// Closes this process's copy of the end; further use throws `.closed`. A second
    /// `close()` does nothing.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        _ = pc_close(rawDescriptor)
    }

    // MARK: Sending

    /// Sends `value`, encoded with `BinaryEncoder`, as one message. A value that fails to
    /// encode throws `.unencodableValue` and sends nothing.
    public func send<T: Encodable>(_ value: T) throws(ProcessError) {
        try spareEncoder.withEncoded(value) { (bytes) throws(ProcessError) in try sendBytes(bytes) }
    }

    /// Sends `bytes` as one message.
    public func sendBytes(_ bytes: [UInt8]) throws(ProcessError) {
        var failure: ProcessError?
        bytes.withUnsafeBytes { raw in
            do throws(ProcessError) { try sendBytes(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Sends the bytes of `buffer` as one message, straight from the caller's memory
    /// (one writev(2) of the header and the bytes, no copy).
    public func sendBytes(_ buffer: UnsafeRawBufferPointer) throws(ProcessError) {
        try checkOpen("send", allowed: isWritable)
        var header = FrameHeader.Storage()
        let headerSize = FrameHeader.write(length: buffer.count, into: &header)
        let result = withUnsafeBytes(of: &header) {
            pc_write_frame(rawDescriptor, $0.baseAddress, headerSize, buffer.baseAddress, buffer.count)
        }
        if result == EPIPE || result == ECONNRESET {
            throw ProcessError(.endOfStream, operation: "send", errno: Errno(rawValue: result))
        }
        try check("send", result)
    }

    // MARK: Receiving

    /// Receives one message and decodes it as a `T`. Throws `.endOfStream` when the other
    /// end is closed and nothing is left, `.corruptMessage` for a broken frame and
    /// `.undecodableMessage` when the bytes are not a `T`.
    public func receive<T: Decodable>(_ type: T.Type = T.self) throws(ProcessError) -> T {
        let length = try readMessageLength()
        // A message that came whole with its header (a small one, as a rule) is decoded
        // where it lies in the read-ahead buffer, without a copy into an array of its own.
        if let buffered = readAhead.takeBuffered(length) {
            return try BinaryDecoder().decode(type, from: buffered)
        }
        return try BinaryDecoder().decode(type, from: try readBody(length))
    }

    /// Receives one message's bytes, waiting for it. Throws as `receive`.
    public func receiveBytes() throws(ProcessError) -> [UInt8] {
        try readBody(try readMessageLength())
    }

    /// Reads the next message's header, checking that the end can receive and the length
    /// is allowed: the length of the body that follows.
    private func readMessageLength() throws(ProcessError) -> Int {
        try checkOpen("receive", allowed: isReadable)
        guard !outOfStep else {
            throw ProcessError(.corruptMessage, operation: "receive: the stream is out of step after an earlier bad frame")
        }
        let length = try readLength()
        if let maximumMessageLength, length > maximumMessageLength {
            outOfStep = true
            throw ProcessError(.messageTooLarge, operation: "receive: a message of \(length) bytes, more than the \(maximumMessageLength) allowed")
        }
        return length
    }

    /// Receives one message's bytes into `buffer` from byte `offset` on, as Python's
    /// `recv_bytes_into`, and returns their count. A message longer than the room after
    /// `offset` is still received whole, and thrown as `.bufferTooShort` with its bytes in
    /// the error's `receivedBytes`; the connection stays in step. An `offset` outside the
    /// buffer is `.invalidArgument`. Throws otherwise as `receive`.
    public func receiveBytes(into buffer: UnsafeMutableRawBufferPointer, at offset: Int = 0) throws(ProcessError) -> Int {
        guard offset >= 0, offset <= buffer.count else {
            throw ProcessError(.invalidArgument, operation: "receiveBytes(into:at: \(offset)): a buffer of \(buffer.count) bytes")
        }
        let length = try readMessageLength()
        guard length <= buffer.count - offset else {
            throw ProcessError(bufferTooShortFor: try readBody(length), operation: "receiveBytes(into:): a message of \(length) bytes, \(buffer.count - offset) of room")
        }
        let got = try readFully(into: UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<(offset + length)]))
        if got < length { throw truncated("message", got, of: length) }
        return length
    }

    // MARK: Descriptors

    /// Sends a copy of `descriptor` to the process at the other end (Python's
    /// `send_handle`), as one message carrying it (SCM_RIGHTS); this process's stays open.
    /// The Connection must be a Unix socket (a duplex `Pipe`): another is `.invalidArgument`.
    public func sendHandle(_ descriptor: FileDescriptor) throws(ProcessError) {
        try checkOpen("sendHandle", allowed: isWritable)
        try checkSocket("sendHandle")
        var frame = FrameHeader.Storage()
        let headerSize = FrameHeader.write(length: 1, into: &frame)
        var handle = descriptor.rawValue
        let result = withUnsafeMutableBytes(of: &frame) { raw in
            raw[headerSize] = Self.handleMarker
            return pc_send_with_fds(self.rawDescriptor, raw.baseAddress, headerSize + 1, &handle, 1)
        }
        if result == EPIPE || result == ECONNRESET {
            throw ProcessError(.endOfStream, operation: "sendHandle", errno: Errno(rawValue: result))
        }
        try check("sendHandle", result)
    }

    /// Receives a descriptor sent with `sendHandle` (Python's `recv_handle`): a new
    /// descriptor of this process (close-on-exec), the caller's to close. The next message
    /// must be one `sendHandle` sent: another, or one that came without its descriptor, is
    /// `.corruptMessage` (and is consumed). The Connection must be a Unix socket.
    public func receiveHandle() throws(ProcessError) -> FileDescriptor {
        try checkOpen("receiveHandle", allowed: isReadable)
        try checkSocket("receiveHandle")
        let message = try receiveBytes()
        guard message == [Self.handleMarker], let handle = readAhead.takeDescriptor() else {
            throw ProcessError(.corruptMessage, operation: "receiveHandle: a message of \(message.count) bytes without a descriptor")
        }
        return FileDescriptor(rawValue: handle)
    }

    /// The one byte of a message that carries a descriptor.
    private static var handleMarker: UInt8 { 0x48 }

    private func checkSocket(_ operation: String) throws(ProcessError) {
        guard isSocket else {
            throw ProcessError(.invalidArgument, operation: "\(operation): descriptors cross only a socket (a duplex Pipe), not a one-way pipe")
        }
    }

    /// Whether a message (or end-of-stream) is ready to receive, waiting up to `timeout`
    /// for one (nil: for ever; zero: just look). Like Python's `poll`, true at end of
    /// stream too, so that the next `receive` reports it at once.
    public func poll(timeout: Duration? = .zero) throws(ProcessError) -> Bool {
        try checkOpen("poll", allowed: isReadable)
        if readAhead.hasBytes { return true }
        var revents: Int16 = 0
        try check("poll", pc_poll_one(rawDescriptor, Int16(POLLIN), timeout?.roundedUpMilliseconds ?? -1, &revents))
        return revents != 0
    }

    private func checkOpen(_ operation: String, allowed: Bool) throws(ProcessError) {
        if isClosed { throw ProcessError(.closed, operation: operation) }
        if !allowed { throw ProcessError(.closed, operation: "\(operation): this end of a one-way pipe cannot \(operation)") }
    }

    /// Reads the header: the message's length, or a typed error.
    private func readLength() throws(ProcessError) -> Int {
        var header = FrameHeader.Storage()
        let short = try withUnsafeMutableBytes(of: &header) { (raw) throws(ProcessError) -> FrameHeader.Short in
            let got = try readFully(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<FrameHeader.shortSize]))
            if got == 0 { throw ProcessError(.endOfStream, operation: "receive") }
            if got < FrameHeader.shortSize { throw truncated("header", got, of: FrameHeader.shortSize) }
            return FrameHeader.readShort(UnsafeRawBufferPointer(raw))
        }
        switch short {
        case .length(let length): return length
        case .corrupt(let value):
            outOfStep = true
            throw ProcessError(.corruptMessage, operation: "receive: a frame header with length \(value)")
        case .long:
            return try withUnsafeMutableBytes(of: &header) { (raw) throws(ProcessError) -> Int in
                let extra = UnsafeMutableRawBufferPointer(rebasing: raw[4..<(4 + FrameHeader.longExtraSize)])
                let got = try readFully(into: extra)
                if got < FrameHeader.longExtraSize { throw truncated("long header", got, of: FrameHeader.longExtraSize) }
                let length = FrameHeader.loadBigEndian(UnsafeRawBufferPointer(extra), count: 8)
                guard length <= UInt64(Int.max) else {
                    outOfStep = true
                    throw ProcessError(.corruptMessage, operation: "receive: a frame header with length \(length)")
                }
                return Int(length)
            }
        }
    }

    /// Reads a body of `length` bytes into an array that grows as they arrive: a header
    /// claiming gigabytes that never come costs at most `initialReceiveCapacity`.
    private func readBody(_ length: Int) throws(ProcessError) -> [UInt8] {
        var body: [UInt8] = []
        var failure: ProcessError?
        while body.count < length && failure == nil {
            let have = body.count
            let capacity = have == 0 ? min(length, Self.initialReceiveCapacity) : min(length, have * 2)
            body = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
                if let base = body.withUnsafeBufferPointer({ $0.baseAddress }), have > 0 {
                    buffer.baseAddress!.initialize(from: base, count: have)
                }
                initialized = have
                do throws(ProcessError) {
                    initialized += try readFully(into: UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[have...]))
                } catch {
                    failure = error
                }
            }
            if failure == nil && body.count < capacity { failure = truncated("message", body.count, of: length) }
        }
        if let failure { throw failure }
        return body
    }

    /// Reads until `buffer` is full or the stream ends (through the read-ahead buffer).
    private func readFully(into buffer: UnsafeMutableRawBufferPointer) throws(ProcessError) -> Int {
        try readAhead.read(into: buffer, from: rawDescriptor)
    }

    private func truncated(_ what: String, _ got: Int, of expected: Int) -> ProcessError {
        outOfStep = true
        return ProcessError(.corruptMessage, operation: "receive: the stream ended inside a \(what), after \(got) of \(expected) bytes")
    }
}
