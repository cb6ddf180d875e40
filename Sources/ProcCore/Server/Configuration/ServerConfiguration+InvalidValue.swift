extension ServerConfiguration {
    /// A value of a configuration that a server cannot start with: which field, what it
    /// must be, and what it was. A command line maps `field` to its option's name.
    public struct InvalidValue: Error, Sendable, Equatable, CustomStringConvertible {
        /// A field of the configuration (a model's options included).
        public enum Field: String, Sendable, CaseIterable {
            /// The port of `ServerConfiguration.address`.
            case port
            /// `ServerConfiguration.backlog`.
            case backlog
            /// `ServerModel.forkPerConnection(maxChildren:)`.
            case maxChildren
            /// `PreforkOptions.workers`.
            case workers
            /// `PreforkOptions.maxWorkers`.
            case maxWorkers
            /// `PreforkOptions.maxRequests`.
            case maxRequests
            /// `PreforkOptions.maxRequestsJitter`.
            case maxRequestsJitter
            /// `PreforkOptions.workerTimeout`.
            case workerTimeout
            /// `PreforkOptions.extraWorkerIdleTimeout`.
            case extraWorkerIdleTimeout
            /// `ServerConfiguration.idleTimeout`.
            case idleTimeout
            /// `ServerConfiguration.grace`.
            case grace
            /// `ServerConfiguration.drainDelay`.
            case drainDelay
            /// `ServerConfiguration.upgradeTimeout`.
            case upgradeTimeout
            /// `ServerConfiguration.pidFile`.
            case pidFile
            /// `ServerIdentity.name`.
            case identityName
            /// `ServerConfiguration.unixSocketMode`.
            case unixSocketMode
        }

        /// What a value must be.
        public enum Requirement: Sendable, Equatable {
            /// Within a range: `must be between 1 and 1024`.
            case within(ClosedRange<Int>)
            /// At least another field's value: `must be at least workers`.
            case atLeast(Field)
            /// At most: `must be at most 1024`.
            case atMost(Int)
            /// `must be 0 or more`.
            case notNegative
            /// `must be above 0`.
            case positive
            /// `must be a path` (not empty).
            case path
            /// `must be a letter or _, then letters, digits and _`.
            case metricName
            /// `must be permission bits, octal 0 to 777`.
            case permissionBits
        }

        /// The field out of range.
        public let field: Field
        /// What it must be.
        public let requirement: Requirement
        /// What it was, as text (`0`, `3 < 4`).
        public let value: String

        /// `field` must meet `requirement`; it was `value`.
        public init(_ field: Field, _ requirement: Requirement, got value: String) {
            self.field = field
            self.requirement = requirement
            self.value = value
        }

        /// `workers must be between 1 and 1024 (got 0)`, with `name` giving each field's
        /// name (the field's own by default; a command line passes its options').
        public func describe(naming name: (Field) -> String = \.rawValue) -> String {
            let rule: String
            switch requirement {
            case .within(let range): rule = "must be between \(range.lowerBound) and \(range.upperBound)"
            case .atLeast(let other): rule = "must be at least \(name(other))"
            case .atMost(let limit): rule = "must be at most \(limit)"
            case .notNegative: rule = "must be 0 or more"
            case .positive: rule = "must be above 0"
            case .path: rule = "must be a path"
            case .metricName: rule = "must be a letter or _, then letters, digits and _"
            case .permissionBits: rule = "must be permission bits, octal 0 to 777"
            }
            return value.isEmpty ? "\(name(field)) \(rule)" : "\(name(field)) \(rule) (got \(value))"
        }

        public var description: String { describe() }
    }

    /// The most a backlog can be (the kernel caps it at `net.core.somaxconn` anyway).
    public static let backlogLimit = 65535
    /// The most children fork per connection can have at once.
    public static let maxChildrenLimit = 65536

    /// Checks every value once, for whoever starts a server (`Server.init` calls it):
    /// throws the first value out of range.
    public func validate() throws(InvalidValue) {
        if let port = address.port, !(0...65535).contains(port) { throw InvalidValue(.port, .within(0...65535), got: "\(port)") }
        guard (1...Self.backlogLimit).contains(backlog) else { throw InvalidValue(.backlog, .within(1...Self.backlogLimit), got: "\(backlog)") }
        if let idleTimeout, idleTimeout < .zero { throw InvalidValue(.idleTimeout, .notNegative, got: idleTimeout.secondsText) }
        guard grace >= .zero else { throw InvalidValue(.grace, .notNegative, got: grace.secondsText) }
        guard drainDelay >= .zero else { throw InvalidValue(.drainDelay, .notNegative, got: drainDelay.secondsText) }
        guard upgradeTimeout > .zero else { throw InvalidValue(.upgradeTimeout, .positive, got: upgradeTimeout.secondsText) }
        if let pidFile, pidFile.isEmpty { throw InvalidValue(.pidFile, .path, got: "") }
        guard identity.hasValidName else { throw InvalidValue(.identityName, .metricName, got: "'\(identity.name)'") }
        if let unixSocketMode, !(0...0o777).contains(unixSocketMode) {
            throw InvalidValue(.unixSocketMode, .permissionBits, got: String(unixSocketMode, radix: 8))
        }
        switch model {
        case .forkPerConnection(let maxChildren):
            guard (1...Self.maxChildrenLimit).contains(maxChildren) else {
                throw InvalidValue(.maxChildren, .within(1...Self.maxChildrenLimit), got: "\(maxChildren)")
            }
        case .prefork(let options):
            try options.validate()
        }
    }
}

extension PreforkOptions {
    /// The most workers a pool may have (the scoreboard's slots).
    public static let workerLimit = Scoreboard.capacity

    /// Throws the first value out of range (`ServerConfiguration.validate()`).
    func validate() throws(ServerConfiguration.InvalidValue) {
        typealias Invalid = ServerConfiguration.InvalidValue
        let limit = Self.workerLimit
        guard (1...limit).contains(workers) else { throw Invalid(.workers, .within(1...limit), got: "\(workers)") }
        guard maxWorkers >= workers else { throw Invalid(.maxWorkers, .atLeast(.workers), got: "\(maxWorkers) < \(workers)") }
        guard maxWorkers <= limit else { throw Invalid(.maxWorkers, .atMost(limit), got: "\(maxWorkers)") }
        if let maxRequests, maxRequests < 0 { throw Invalid(.maxRequests, .notNegative, got: "\(maxRequests)") }
        guard maxRequestsJitter >= 0 else { throw Invalid(.maxRequestsJitter, .notNegative, got: "\(maxRequestsJitter)") }
        if let workerTimeout, workerTimeout <= .zero { throw Invalid(.workerTimeout, .positive, got: workerTimeout.secondsText) }
        guard extraWorkerIdleTimeout >= .zero else {
            throw Invalid(.extraWorkerIdleTimeout, .notNegative, got: extraWorkerIdleTimeout.secondsText)
        }
    }
}
