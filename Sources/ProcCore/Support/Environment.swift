import Glibc

/// This process's environment variables, read and removed by name (getenv, unsetenv).
///
/// Not thread-safe, as the C functions are not: change the environment before starting threads.
enum Environment {
    /// The value of `name`, or nil when it is not set.
    static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// Removes `name`, so that children and programs started afterwards do not see it.
    static func remove(_ name: String) {
        unsetenv(name)
    }
}
