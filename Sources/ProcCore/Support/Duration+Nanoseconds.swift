extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        // The fraction can push a whole that just fitted past the limit: saturate there too.
        let (total, fractionOverflow) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        if fractionOverflow { return seconds < 0 ? .min : .max }
        return total
    }
}
