import Glibc

/// This process's environment, as a child would inherit it.
enum ProcessEnvironment {
    /// Every `NAME=value` of `environ`, as a dictionary (the first of duplicate names wins,
    /// as getenv(3) finds it).
    static func current() -> [String: String] {
        var variables: [String: String] = [:]
        // clearenv(3) leaves environ NULL, which Swift imports as a non-optional pointer.
        let table = unsafeBitCast(environ, to: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?.self)
        guard var entry = table else { return variables }
        while let pointer = entry.pointee {
            let text = String(cString: pointer)
            if let equals = text.firstIndex(of: "=") {
                let name = String(text[..<equals])
                if variables[name] == nil { variables[name] = String(text[text.index(after: equals)...]) }
            }
            entry += 1
        }
        return variables
    }
}
