#if canImport(Glibc)
import Glibc
#endif

/// A NULL-terminated argv built once, so that timing loops do not allocate it each time.
final class CStringVector {
    /// The vector, for C functions that take `char *const argv[]`.
    let pointers: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    private let count: Int

    init(_ strings: [String]) {
        count = strings.count
        pointers = .allocate(capacity: count + 1)
        for (index, string) in strings.enumerated() { pointers[index] = strdup(string) }
        pointers[count] = nil
    }

    deinit {
        for index in 0..<count { free(pointers[index]) }
        pointers.deallocate()
    }
}
