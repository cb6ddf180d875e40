import Glibc

/// A NULL-terminated array of C strings that lives as long as the value: argv and envp
/// for the shim, built once (a timing loop need not rebuild it for every child).
package final class CStringArray {
    /// The array, for C functions that take `char *const argv[]`.
    package let pointers: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    /// The number of strings, the NULL not counted.
    package let count: Int

    /// Copies `strings` into C strings, followed by a NULL.
    package init(_ strings: [String]) {
        count = strings.count
        pointers = .allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() {
            pointers[index] = strdup(string)
        }
        pointers[strings.count] = nil
    }

    deinit {
        for index in 0..<count { free(pointers[index]) }
        pointers.deallocate()
    }
}
