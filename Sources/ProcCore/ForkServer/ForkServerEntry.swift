/// Something a `ForkServer` can run in a new child: it is handed to the server when the
/// server is created, so that it exists in the server's image (a fork of this program at
/// that moment). `ForkEntryPoint` and `ProcessPool.Work` are the two kinds.
public protocol ForkServerEntry: Sendable {
    /// The name the server finds the entry by: unique among one server's entries.
    var name: String { get }
    /// How the server's child runs the entry; made by ProcCore's own entry types.
    var servedBody: ServedBody { get }
}

/// How a fork server's child runs an entry: the argument's encoded bytes and the
/// descriptors the request passed. Only ProcCore's entry types make one.
public struct ServedBody: Sendable {
    let run: @Sendable (_ argument: [UInt8], _ descriptors: [Int32]) throws -> Void

    init(_ run: @escaping @Sendable (_ argument: [UInt8], _ descriptors: [Int32]) throws -> Void) {
        self.run = run
    }
}
