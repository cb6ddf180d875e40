extension Duration {
    /// Whole milliseconds, rounded up (so a positive duration never becomes 0) and clamped
    /// to Int32 for poll(2) and socket timeouts; a negative duration gives 0.
    var roundedUpMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        let ms = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: ms)
    }
}
