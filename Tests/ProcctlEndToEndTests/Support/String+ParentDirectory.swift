extension String {
    /// The directory part of this path: `/a/b` for `/a/b/c`, `/` for `/a`, `.` for `a`.
    var parentDirectory: String {
        guard let slash = lastIndex(of: "/") else { return "." }
        return slash == startIndex ? "/" : String(self[..<slash])
    }
}
