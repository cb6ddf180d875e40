/// Order statistics of a set of measurements (latencies, child lifetimes), computed the
/// way the anchors' C load generator does: the value at index `count * q` of the sorted
/// samples.
struct SampleSummary {
    /// How many samples there were.
    let count: Int
    let minimum: Double
    let p10: Double
    let median: Double
    let p90: Double
    let p99: Double
    let maximum: Double
    let mean: Double

    /// Summarises `samples`; nil when there are none.
    init?(_ samples: [Double]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        func quantile(_ q: Double) -> Double {
            sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))]
        }
        count = sorted.count
        minimum = sorted[0]
        p10 = quantile(0.10)
        median = quantile(0.50)
        p90 = quantile(0.90)
        p99 = quantile(0.99)
        maximum = sorted[sorted.count - 1]
        mean = sorted.reduce(0, +) / Double(sorted.count)
    }
}
