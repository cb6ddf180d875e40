/// The Codable message `procctl bench ipc` sends back and forth: a small struct whose
/// encoded form is about 64 bytes, as the raw loops' messages are.
struct BenchMessage: Codable, Equatable {
    var id: Int
    var kind: String
    var values: [Int32]

    static let sample = BenchMessage(id: 12345, kind: "a task for the worker process, 64 B", values: [1, -2, 300, 40000])
}
