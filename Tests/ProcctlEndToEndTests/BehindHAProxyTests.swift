import Foundation
import ProcTestSupport
import Testing

import Glibc

/// `procctl serve` behind a real HAProxy (Debian's `haproxy`), configured by the file the
/// documentation gives (contrib/haproxy/haproxy.cfg) with only its addresses replaced:
/// what docs/production.md's "Behind a load balancer" promises, checked end to end.
@Suite(
    "procctl serve behind HAProxy", .timeLimit(.minutes(2)),
    .enabled(if: HAProxyProgram.path != nil, HAProxyProgram.missingReason),
    .enabled(if: HAProxyProgram.serveHasBalancerFlags, HAProxyProgram.flagsMissingReason)
)
struct BehindHAProxyTests {
    /// The drain delay the documentation's rule gives for the file's check: longer than
    /// `inter 1s` x `fall 2`.
    static let drainDelay = "3"

    @Test("A SIGTERM stop of one of three instances under load loses no connection")
    func stopUnderLoadLosesNothing() throws {
        var instances: [RunningServer] = []
        defer { for instance in instances { instance.stop() } }
        var metricsPorts: [Int] = []
        for _ in 0..<3 {
            let instance = try RunningServer([
                "--workers", "2", "--quiet", "--metrics", "127.0.0.1:0", "--proxy-protocol", "--drain-delay", Self.drainDelay,
            ])
            instances.append(instance)
            metricsPorts.append(try Self.metricsPort(of: instance))
        }
        let directory = try TemporaryDirectory()
        let front = try LoopbackPort.unused()
        let configuration = directory.path + "/haproxy.cfg"
        try Self.documentedConfiguration(front: front, servers: instances.map(\.port), checks: metricsPorts)
            .write(toFile: configuration, atomically: true, encoding: .utf8)
        let haproxy = try LaunchedProgram(try #require(HAProxyProgram.path), ["-db", "-f", configuration])
        defer { haproxy.stop() }
        // HAProxy serves once a round trip through it comes back upper-cased.
        let forwarding = TestClock.waitUntil(timeout: 20, interval: 0.1) {
            (try? TestConnection(port: front, timeoutMs: 2000).roundTrip("hello\n")) == "HELLO\n"
        }
        try #require(forwarding, "HAProxy did not forward; its stderr: \(haproxy.standardError())")

        let load = try Procctl.launch([
            "load", "--port", "\(front)", "--duration", "10", "--concurrency", "4", "--timeout", "5", "--json", "--timeline",
        ])
        defer { load.stop() }
        // Once the load reaches the first instance, it is stopped as an operator stops it.
        let stopped = instances[0]
        let loaded = TestClock.waitUntil(timeout: 20, interval: 0.05) { (Self.connectionsServed(metricsPort: metricsPorts[0]) ?? 0) >= 20 }
        #expect(loaded, "the load did not reach the first instance")
        stopped.program.send(signal: SIGTERM)
        #expect(stopped.program.exitCode(timeout: 30) == 0, "stderr: \(stopped.program.standardError())")

        let output = String(decoding: load.readStandardOutput(timeout: 40), as: UTF8.self)
        #expect(load.exitCode(timeout: 10) == 0, "\(output)")
        let report = try JSONReport.object(output)
        #expect(report["errors"] as? Int == 0, "\(output)")
        #expect((report["ok"] as? Int ?? 0) > 0)
        // The other instances served on after the stop.
        for port in metricsPorts.dropFirst() {
            #expect((Self.connectionsServed(metricsPort: port) ?? 0) > 0)
        }
    }

    /// contrib/haproxy/haproxy.cfg with its frontend on 127.0.0.1:`front` and its three
    /// servers on 127.0.0.1: `servers`, checked on `checks` (the admin addresses).
    static func documentedConfiguration(front: Int, servers: [Int], checks: [Int]) throws -> String {
        let path = Procctl.packageRoot + "/contrib/haproxy/haproxy.cfg"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        // maxconn 8000 needs 16,000 descriptors, more than a user's limit may allow: the
        // test makes few connections at once.
        let replacements = [("    bind :8080\n", "    bind 127.0.0.1:\(front)\n"), ("    maxconn 8000\n", "    maxconn 500\n")] + servers.indices.map { index in
            ("procctl\(index + 1) 10.0.0.1\(index + 1):8080 check port 9150 ", "procctl\(index + 1) 127.0.0.1:\(servers[index]) check port \(checks[index]) ")
        }
        for (documented, local) in replacements {
            guard text.contains(documented) else { throw HarnessError("\(path) no longer has \"\(documented)\"") }
            text = text.replacingOccurrences(of: documented, with: local)
        }
        return text
    }

    /// The port of the admin address of a server started with `--metrics 127.0.0.1:0`,
    /// from the line it prints once it serves there.
    static func metricsPort(of server: RunningServer) throws -> Int {
        let prefix = "metrics on http://127.0.0.1:"
        guard let line = server.program.readLine(timeout: 10), line.hasPrefix(prefix),
              let port = Int(line.dropFirst(prefix.count).prefix { $0.isNumber })
        else { throw HarnessError("no 'metrics on' line; stderr: \(server.program.standardError())") }
        return port
    }

    /// The connections a server has accepted, from its metrics; nil when it cannot be asked.
    static func connectionsServed(metricsPort: Int) -> Int? {
        guard let connection = try? TestConnection(port: metricsPort, timeoutMs: 2000),
              let reply = try? connection.stream(Array("GET /metrics HTTP/1.0\r\n\r\n".utf8), timeout: 5)
        else { return nil }
        let sample = String(decoding: reply, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("procctl_connections_total ") }
        return sample.flatMap { Int($0.split(separator: " ").last ?? "") }
    }
}
