extension Duration {
    /// Whole milliseconds, rounded up (so a positive duration never becomes 0) and clamped
    /// to Int32 for poll(2) and socket timeouts; a negative duration gives 0.
    package var roundedUpMilliseconds: Int32 {
        // Any negative duration means "do not wait", as in Python: -0.5 s is (0, -5e17).
        if self <= .zero { return 0 }
        let (seconds, attoseconds) = components
        // seconds * 1000 would overflow (a trap) for a huge duration; poll takes Int32 anyway.
        if seconds >= Int64(Int32.max) / 1000 { return Int32.max }
        let ms = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: ms)
    }
}
