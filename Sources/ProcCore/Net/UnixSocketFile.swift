import CProcShim

/// The file a listening Unix socket is bound to, known by its inode and the time of its
/// last status change (a freed inode number is reused at once on tmpfs), so that a server
/// that stops removes its own socket file and never one that another server has bound at
/// the same path since. A file whose owner or mode an operator changed afterwards is left
/// too: the next server replaces it as stale.
struct UnixSocketFile: Sendable {
    /// The file's path.
    let path: String
    private let inode: UInt64
    private let changeNanoseconds: UInt64

    /// The socket file at `path` as it is now; nil for an abstract name (`@name`: no
    /// file) or when no socket file is there.
    init?(path: String) {
        guard !path.hasPrefix("@") else { return nil }
        var inode: UInt64 = 0
        var changeNanoseconds: UInt64 = 0
        guard pc_unix_socket_file_identity(path, &inode, &changeNanoseconds) == 0 else { return nil }
        self.path = path
        self.inode = inode
        self.changeNanoseconds = changeNanoseconds
    }

    /// Removes the file if it is still this one.
    func remove() {
        _ = pc_unix_socket_file_remove(path, inode, changeNanoseconds)
    }
}
