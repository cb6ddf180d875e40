extension ChildProcess {
    /// Thrown from a child's closure to end the child with `code`, like Python's
    /// `sys.exit(code)`: `exitCode` is then `code`.
    public struct Exit: Error, Sendable {
        /// The exit code of the child (0-255).
        public let code: Int32

        /// Ends the child with `code`.
        public init(_ code: Int32) { self.code = code }
    }
}
