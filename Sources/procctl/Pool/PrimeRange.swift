/// The CPU-bound work of `procctl pool`: counting the primes in one range of numbers by
/// trial division, the same arithmetic in the sequential run and on the pool.
struct PrimeRange: Codable, Sendable {
    var start: Int
    var end: Int

    /// The `count` ranges of `span` numbers each, from 2 upwards.
    static func ranges(count: Int, span: Int) -> [PrimeRange] {
        (0..<count).map { PrimeRange(start: 2 + $0 * span, end: 2 + ($0 + 1) * span) }
    }

    /// The number of primes in `start..<end`.
    func countPrimes() -> Int {
        var count = 0
        for n in start..<end where Self.isPrime(n) { count += 1 }
        return count
    }

    private static func isPrime(_ n: Int) -> Bool {
        if n < 4 { return n >= 2 }
        if n % 2 == 0 { return false }
        var divisor = 3
        while divisor * divisor <= n {
            if n % divisor == 0 { return false }
            divisor += 2
        }
        return true
    }
}
