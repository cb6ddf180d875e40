import CProcShim
import SystemPackage

extension FileDescriptor {
    /// pipe2(2) with O_CLOEXEC: a pipe whose ends an exec'd program does not inherit.
    public static func closeOnExecPipe() throws(ProcessError) -> (readEnd: FileDescriptor, writeEnd: FileDescriptor) {
        var fds: [Int32] = [-1, -1]
        try check("pipe2", pc_pipe(&fds))
        return (FileDescriptor(rawValue: fds[0]), FileDescriptor(rawValue: fds[1]))
    }

    /// Reads until end of file and returns the bytes as text (invalid UTF-8 repaired).
    public func readToEnd() throws(ProcessError) -> String {
        String(decoding: try readAllBytes(), as: UTF8.self)
    }

    /// Reads until end of file; EINTR is retried.
    public func readAllBytes() throws(ProcessError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            var count = 0
            let result = chunk.withUnsafeMutableBytes { pc_read(rawValue, $0.baseAddress, $0.count, &count) }
            try check("read", result)
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }
}
