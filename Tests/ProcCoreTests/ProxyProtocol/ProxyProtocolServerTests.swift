@testable import ProcCore
import CProcShim
import ProcTestSupport
import Testing

import Glibc

extension ForkingTests {
    /// A `Server` with `proxyProtocol` on, in both models, talked to over 127.0.0.1 with
    /// the headers balancers send and with headers that lie: the handler sees the client
    /// the header names (and the client's bytes that came in the same segment), a bad
    /// header closes its connection alone, and the next good one is served.
    @Suite struct ProxyProtocolServerTests {
        static let models: [ServerModel] = [.forkPerConnection(maxChildren: 16), .prefork(PreforkOptions(workers: 2))]
        /// The idle timeout, and so the header's time limit: short, for the stalled headers.
        static let headerTimeLimit: Duration = .seconds(2)

        /// A server whose handler writes the peer it was given, then `got ` and the first
        /// line it reads.
        private func startServer(_ model: ServerModel) throws -> ForkedServerProcess {
            let configuration = ServerConfiguration(
                address: .tcp(host: "127.0.0.1", port: 0), idleTimeout: Self.headerTimeLimit, grace: .seconds(1), model: model, proxyProtocol: true)
            return try ForkedServerProcess(name: "proxy-server", configuration: configuration, handler: { connection, peer in
                try connection.writeAll(Array("\(peer)\n".utf8))
                var lines = LineReader(connection)
                try connection.writeAll(Array("got \(try lines.next() ?? "nothing")\n".utf8))
            }, setUp: { port, log in
                closeInheritedDescriptors(keeping: port, log)
                return (port, log)
            })
        }

        /// Connects, sends `bytes` (a byte at a time when `trickling`), and returns the
        /// connection's own address (the peer the server sees) and every line received
        /// until the server closes (none when it refused the header).
        private func exchange(_ server: ForkedServerProcess, _ bytes: [UInt8], trickling: Bool = false) throws -> (local: SocketAddress, lines: [String]) {
            let connection = try SocketConnection(connectingTo: .tcp(host: "127.0.0.1", port: server.port))
            try connection.setTimeout(.seconds(10))
            let local = try connection.localAddress()
            if trickling {
                for byte in bytes {
                    try connection.writeAll([byte])
                    TestClock.sleep(0.002)
                }
            } else {
                try connection.writeAll(bytes)
            }
            var reader = LineReader(connection)
            var lines: [String] = []
            while let line = try Self.nextLine(&reader) { lines.append(line) }
            return (local, lines)
        }

        /// The next line, or nil at the end, where a reset counts as the end: a server that
        /// closes with the client's bytes unread resets the connection.
        private static func nextLine(_ reader: inout LineReader) throws -> String? {
            do {
                return try reader.next()
            } catch where error.errno == .connectionReset {
                return nil
            }
        }

        private let hello = Array("hello\n".utf8)
        private let goodHeader = ProxyHeaderBytes.binary(
            family: 0x11, body: ProxyHeaderBytes.inetBlock(source: "198.51.100.1", destination: "10.0.0.1", sourcePort: 1234, destinationPort: 80))

        @Test(arguments: models) func everyHeaderKindGivesTheHandlerItsPeerAndTheClientsFirstBytes(model: ServerModel) throws {
            let server = try startServer(model)
            defer { server.stop() }
            let tlvs: [UInt8] = ProxyHeaderBytes.tlv(0x02, Array("example.com".utf8)) + ProxyHeaderBytes.tlv(0x05, [UInt8](repeating: 7, count: 40))
            let v4Block: [UInt8] = ProxyHeaderBytes.inetBlock(source: "192.0.2.9", destination: "10.0.0.1", sourcePort: 50000, destinationPort: 80)
            let v6Block: [UInt8] = ProxyHeaderBytes.inetBlock(source: "2001:db8::9", destination: "::1", sourcePort: 50001, destinationPort: 80)
            let localBlock: [UInt8] = ProxyHeaderBytes.inetBlock(source: "192.0.2.9", destination: "10.0.0.1", sourcePort: 1, destinationPort: 2)
            let unixBlock: [UInt8] = ProxyHeaderBytes.unixBlock(source: "/run/client.sock", destination: "/run/app.sock")
            var cases: [(header: [UInt8], peer: String?)] = []
            cases.append((ProxyHeaderBytes.text("TCP4", "203.0.113.7", "10.0.0.1", "41000", "80"), "203.0.113.7:41000"))
            cases.append((ProxyHeaderBytes.text("TCP6", "2001:db8::7", "2001:db8::1", "41001", "443"), "[2001:db8::7]:41001"))
            cases.append((ProxyHeaderBytes.text("UNKNOWN"), nil))
            cases.append((ProxyHeaderBytes.binary(family: 0x11, body: v4Block + tlvs), "192.0.2.9:50000"))
            cases.append((ProxyHeaderBytes.binary(family: 0x21, body: v6Block), "[2001:db8::9]:50001"))
            cases.append((ProxyHeaderBytes.binary(command: 0, family: 0x11, body: localBlock + tlvs), nil))
            cases.append((ProxyHeaderBytes.binary(family: 0x31, body: unixBlock), "/run/client.sock"))
            for (header, peer) in cases {
                // The header and the client's first line in one write, so one segment.
                let (local, lines) = try exchange(server, header + hello)
                let expected: [String] = [peer ?? local.description, "got hello"]
                #expect(lines == expected, "header \(header)")
            }
            // A balancer that writes the header a byte at a time, within the time limit.
            let (_, lines) = try exchange(server, ProxyHeaderBytes.text("TCP4", "203.0.113.8", "10.0.0.1", "41002", "80") + hello, trickling: true)
            let expected: [String] = ["203.0.113.8:41002", "got hello"]
            #expect(lines == expected)
            #expect(!server.log.contains("closed:"), "\(server.log)")
        }

        @Test(arguments: models) func aHeaderThatLiesClosesItsConnectionAndTheServerServesOn(model: ServerModel) throws {
            let server = try startServer(model)
            defer { server.stop() }
            let block = ProxyHeaderBytes.inetBlock(source: "10.0.0.1", destination: "10.0.0.2", sourcePort: 1, destinationPort: 2)
            let overlong: [UInt8] = Array("PROXY UNKNOWN ".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 200) + Array("\r\n".utf8)
            var lies: [(name: String, bytes: [UInt8])] = []
            lies.append(("a v1 line over 107 bytes", overlong))
            lies.append(("a v2 length past the limit", ProxyHeaderBytes.binary(family: 0x11, body: block, length: 0xFFFF)))
            lies.append(("an unknown family", ProxyHeaderBytes.binary(family: 0x41, body: block)))
            lies.append(("no header at all", Array("GET / HTTP/1.0\r\n\r\n".utf8)))
            // These two wait for bytes that never come: closed at the time limit.
            lies.append(("a v2 length past its bytes", ProxyHeaderBytes.binary(family: 0x11, body: block, length: 100)))
            lies.append(("a header that stops", Array("PROXY TCP4 192.0.2".utf8)))
            for (name, bytes) in lies {
                let started = TestClock.now()
                let (_, refused) = try exchange(server, bytes)
                #expect(refused.isEmpty, "\(name): the handler must not run")
                // Bounded: the time limit, with room for a loaded machine.
                let took: Double = TestClock.now() - started
                #expect(took < 9, "\(name): closed only after \(took) s")
                let (_, served) = try exchange(server, goodHeader + hello)
                let expected: [String] = ["198.51.100.1:1234", "got hello"]
                #expect(served == expected, "after \(name)")
            }
            #expect(server.log.contains(" closed: PROXY header too long"), "\(server.log)")
        }

        @Test func failuresAreCountedAcrossProcessesAndLoggedAtMostOncePerInterval() throws {
            let (logRead, logWrite) = try makePipe()
            defer { _ = pc_close(logRead) }
            let patient = try ProxyHeaderFailures(logInterval: .seconds(60))
            let brisk = try ProxyHeaderFailures(logInterval: .milliseconds(200))
            let peer = SocketAddress.tcp(host: "127.0.0.1", port: 5000)
            let child = ChildProcess(name: "proxy-failures", threadPolicy: .allow) {
                _ = dup2(logWrite, STDERR_FILENO)
                let log = ServerLog()
                for failure: ProxyHeaderFailure in [.notProxyHeader, .timedOut, .notProxyHeader] { patient.record(failure, from: peer, log: log) }
                brisk.record(.malformed, from: peer, log: log)
                brisk.record(.malformed, from: peer, log: log)
                let later = TestClock.now() + 0.3
                _ = TestClock.waitUntil(timeout: 1) { TestClock.now() >= later }
                brisk.record(.closed, from: peer, log: log)
            }
            try child.start()
            _ = pc_close(logWrite)
            finish(child)
            #expect(child.exitCode == 0)
            let lines = text(drain(logRead)).split(separator: "\n").map(String.init)
            // The shared counters, as the master reads them for /metrics.
            var patientCounts: [ProxyHeaderFailure: UInt64] = [:]
            for (failure, count) in patient.counts { patientCounts[failure] = count }
            let expected: [ProxyHeaderFailure: UInt64] = [.notProxyHeader: 2, .timedOut: 1, .malformed: 0, .tooLong: 0, .unsupportedFamily: 0, .closed: 0]
            #expect(patientCounts == expected)
            // Three failures within a minute: one line.
            #expect(lines.first == "connection from 127.0.0.1:5000 closed: not a PROXY protocol header", "\(lines)")
            let patientLines: [String] = lines.filter { $0.contains("not a PROXY") || $0.contains("in time") }
            #expect(patientLines.count == 1, "\(lines)")
            // No failure unaccounted for: each is a line or counted in the next line.
            let briskLines = lines.dropFirst()
            var unlogged = 0
            for line in briskLines {
                guard let range = line.firstRange(of: " (") else { continue }
                unlogged += Int(String(line[range.upperBound...].prefix { $0.isNumber })) ?? 0
            }
            #expect(briskLines.count + unlogged == 3, "\(lines)")
            let last: String = briskLines.last ?? ""
            #expect(last.hasPrefix("connection from 127.0.0.1:5000 closed: closed before the end of the PROXY header"), "\(lines)")
        }
    }
}
