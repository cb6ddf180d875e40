extension Double {
    /// The value rounded to `decimals` places, without Foundation's formatters.
    func formatted(decimals: Int) -> String {
        guard isFinite else { return String(self) }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(self) * scale).rounded()
        guard scaled < 9e15 else { return String(self) }
        let whole = Int(scaled) / Int(scale)
        let fraction = Int(scaled) % Int(scale)
        var text = (self < 0 && scaled != 0 ? "-" : "") + String(whole)
        if decimals > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return text
    }

    /// The value as a person would have typed it on the command line: `-1` for -1.0, so
    /// that an error can quote it back.
    var asTyped: String {
        guard isFinite, self == rounded(), abs(self) < 1e15 else { return String(self) }
        return String(Int(self))
    }
}
