extension Optional where Wrapped == String {
    /// Calls `body` with a C string, or with nil when there is no string.
    func withOptionalCString<R>(_ body: (UnsafePointer<CChar>?) -> R) -> R {
        switch self {
        case .some(let string): string.withCString { body($0) }
        case .none: body(nil)
        }
    }
}
