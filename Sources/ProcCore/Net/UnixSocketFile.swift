import CProcShim

/// The file a listening Unix socket is bound to, known by its device and inode, so that a
/// server that stops removes its own socket file and never one that another server has
/// bound at the same path since.
struct UnixSocketFile: Sendable {
    /// The file's path.
    let path: String
    private let device: UInt64
    private let inode: UInt64

    /// The socket file at `path` as it is now; nil for an abstract name (`@name`: no
    /// file) or when no socket file is there.
    init?(path: String) {
        guard !path.hasPrefix("@") else { return nil }
        var device: UInt64 = 0
        var inode: UInt64 = 0
        guard pc_unix_socket_file_identity(path, &device, &inode) == 0 else { return nil }
        self.path = path
        self.device = device
        self.inode = inode
    }

    /// Removes the file if it is still this one.
    func remove() {
        _ = pc_unix_socket_file_remove(path, device, inode)
    }
}
