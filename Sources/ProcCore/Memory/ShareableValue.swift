/// One item of a `ShareableList`: the six kinds of value Python's
/// `multiprocessing.shared_memory.ShareableList` stores (`int`, `float`, `bool`, `str`,
/// `bytes` and `None`).
///
/// ```swift
/// let list = try ShareableList(creatingWithName: nil, values: [42, 2.5, true, "hi", .bytes([1, 2]), .none])
/// ```
///
/// An `int` is 64 bits (Python's struct format `q`): Python refuses a larger one. A string
/// and bytes keep at most the room their slot was given when the list was made.
public enum ShareableValue: Equatable, Sendable {
    /// Python's `int`, as a 64-bit signed integer.
    case int(Int)
    /// Python's `float`, a double.
    case float(Double)
    /// Python's `bool`.
    case bool(Bool)
    /// Python's `str`, stored as UTF-8.
    case string(String)
    /// Python's `bytes`.
    case bytes([UInt8])
    /// Python's `None`.
    case none
}

extension ShareableValue: ExpressibleByIntegerLiteral {
    /// An `.int`, so that a list can be written `[1, 2, 3]`.
    public init(integerLiteral value: Int) { self = .int(value) }
}

extension ShareableValue: ExpressibleByFloatLiteral {
    /// A `.float`, so that a list can be written `[1.5, 2.5]`.
    public init(floatLiteral value: Double) { self = .float(value) }
}

extension ShareableValue: ExpressibleByBooleanLiteral {
    /// A `.bool`, so that a list can be written `[true, false]`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension ShareableValue: ExpressibleByStringLiteral {
    /// A `.string`, so that a list can be written `["a", "b"]`.
    public init(stringLiteral value: String) { self = .string(value) }
}
