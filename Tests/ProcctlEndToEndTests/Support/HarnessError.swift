/// A failure of the test harness itself (a program that would not start or end, a pipe
/// that could not be made), with a message that says what was expected.
struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
