/// Who a server says it is: at the head of its own log lines (`name: cannot fork a
/// worker...`), as the namespace of its metrics (`name_connections_total`) and in its
/// build-info metric (`name_build_info{version=...}`).
///
/// The default is neutral (`server`); a program sets its own name and version.
public struct ServerIdentity: Sendable, Equatable {
    /// The server's name: its log lines' prefix and its metrics' namespace. A Prometheus
    /// name: a letter or `_`, then letters, digits and `_` (`validate()` checks it).
    public var name: String
    /// The version of the program the server is part of, as `NAME_build_info` reports it.
    public var version: String

    /// A server called `name`, at `version`.
    public init(name: String = "server", version: String = "unknown") {
        self.name = name
        self.version = version
    }

    /// What the server's own lines (not those of a connection) begin with.
    var logPrefix: String { name + ": " }

    /// The environment variable that names a binary upgrade's ready pipe (`NAME_READY_FD`,
    /// upper-cased): the old and the new master are the same program, so they agree.
    var readyVariable: String { name.uppercased() + "_READY_FD" }

    /// Whether `name` is a metric namespace Prometheus accepts.
    var hasValidName: Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil)) }
    }
}
