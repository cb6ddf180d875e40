/// A named function a `ForkServer` runs in a new child, with a `Codable` argument.
///
/// ```swift
/// let greet = ForkEntryPoint<String>("greet") { name in print("hello,", name) }
/// let server = try ForkServer(serving: greet)      // first thing in main, before any thread
/// let child = try server.start(greet, with: "world")
/// try child.join()
/// ```
///
/// The server is a fork of this program made when it was created: a child it forks can
/// run only what the server has, so a request names an entry point given to the server
/// then and sends its argument as bytes. The body may capture values: it captures them
/// as they were when the server was created, never what the requester holds later.
public struct ForkEntryPoint<Argument: Codable>: ForkServerEntry {
    /// The name the server finds the entry by.
    public let name: String
    /// Runs in the served child: return for exit code 0, throw `ChildProcess.Exit(N)` for N,
    /// any other error for 1.
    public let body: @Sendable (Argument) throws -> Void

    /// An entry point called `name` that runs `body`.
    public init(_ name: String, _ body: @escaping @Sendable (Argument) throws -> Void) {
        self.name = name
        self.body = body
    }

    /// Decodes the argument in the served child, then runs the body.
    public var servedBody: ServedBody {
        let body = self.body
        // Argument's Decodable conformance is used in the served child, a process of one
        // thread where no other isolation domain runs: the generic part is made here,
        // outside the Sendable closure, so that the closure captures no metatype.
        nonisolated(unsafe) let run: ([UInt8]) throws -> Void = { try body(BinaryDecoder().decode(Argument.self, from: $0)) }
        return ServedBody { bytes, _ in try run(bytes) }
    }
}
