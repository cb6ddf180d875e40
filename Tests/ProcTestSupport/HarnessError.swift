/// A failure of the test harness itself (a program that would not start or end, a pipe
/// that could not be made), with a message that says what was expected.
public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
