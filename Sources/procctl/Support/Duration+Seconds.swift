extension Duration {
    /// The duration in seconds as a short text: `300`, `0.5`.
    var secondsText: String {
        let (seconds, attoseconds) = components
        if attoseconds == 0 { return "\(seconds)" }
        return "\(Double(seconds) + Double(attoseconds) / 1e18)"
    }

    /// The duration in whole milliseconds, rounded down; negative durations give 0.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
