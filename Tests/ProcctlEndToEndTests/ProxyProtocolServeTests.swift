import CProcShim
import ProcTestSupport
import Testing

import Glibc

/// `procctl serve --proxy-protocol` end to end: programs see the client the header names
/// (tcpserver's variables), the log names it, failures are counted in the metrics, and a
/// real HAProxy with `send-proxy-v2` in front works as the balancer it is meant for.
@Suite("procctl serve --proxy-protocol")
struct ProxyProtocolServeTests {
    /// Prints tcpserver's variables, then the first line the client sent after the header.
    private static let script = #"printf '%s %s %s %s %s\n' "$PROTO" "$TCPREMOTEIP" "$TCPREMOTEPORT" "$TCPLOCALIP" "$TCPLOCALPORT"; head -n 1"#

    private static func which(_ name: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    private static let haproxy = which("haproxy")

    @Test("A program sees the header's client as TCPREMOTEIP/PORT and its destination as TCPLOCALIP/PORT",
          arguments: [[String](), ["--workers", "2"]])
    func programSeesTheClient(model: [String]) throws {
        let server = try RunningServer(["--grace", "1", "--proxy-protocol"] + model + ["--", "/bin/sh", "-c", Self.script])
        defer { server.stop() }
        let headers: [([UInt8], String)] = [
            (ProxyHeaderBytes.text("TCP4", "203.0.113.7", "192.0.2.1", "41000", "443"), "TCP 203.0.113.7 41000 192.0.2.1 443"),
            (ProxyHeaderBytes.binary(family: 0x21, body: ProxyHeaderBytes.inetBlock(
                source: "2001:db8::7", destination: "2001:db8::1", sourcePort: 41001, destinationPort: 80)
                + ProxyHeaderBytes.tlv(0x02, Array("example.com".utf8))), "TCP 2001:db8::7 41001 2001:db8::1 80"),
        ]
        for (header, expected) in headers {
            let connection = try server.connect()
            defer { connection.close() }
            let reply = String(decoding: try connection.stream(header + Array("first line\n".utf8), timeout: 10), as: UTF8.self)
            #expect(reply == "\(expected)\nfirst line\n")
        }
        // A LOCAL header (a health check): the real connection's addresses.
        let connection = try server.connect()
        defer { connection.close() }
        let local = ProxyHeaderBytes.binary(command: 0, family: 0x00, body: [])
        let reply = String(decoding: try connection.stream(local + Array("check\n".utf8), timeout: 10), as: UTF8.self)
        #expect(reply.hasPrefix("TCP 127.0.0.1 ") && reply.hasSuffix(" 127.0.0.1 \(server.port)\ncheck\n"), "\(reply)")
        if model.isEmpty {
            // Fork per connection: the child, which read the header, writes the line.
            #expect(server.program.waitForStandardError(containing: "connection from 203.0.113.7:41000 via 127.0.0.1:", timeout: 10) != nil,
                    "\(server.program.standardError())")
        }
    }

    @Test("Bad headers close their connection, are counted by reason in the metrics and logged")
    func failuresInTheMetrics() throws {
        let server = try RunningServer(["--grace", "1", "--proxy-protocol", "--metrics", "127.0.0.1:0"])
        defer { server.stop() }
        guard let line = server.program.readLine(timeout: 10), line.hasPrefix("metrics on ") else {
            throw HarnessError("no metrics line: \(server.program.standardError())")
        }
        let url = String(line.dropFirst("metrics on ".count))
        for bytes in [Array("GET /metrics HTTP/1.0\r\n\r\n".utf8), Array("SSH-2.0-OpenSSH_9.2\r\n".utf8),
                      Array("PROXY TCP4 ".utf8) + Array(repeating: UInt8(ascii: "1"), count: 120)] {
            let connection = try server.connect()
            defer { connection.close() }
            try connection.send(bytes)
            #expect(connection.waitForClose(timeoutMs: 10_000))
        }
        // The echo still serves a good connection.
        let good = try server.connect()
        defer { good.close() }
        try good.send(ProxyHeaderBytes.text("UNKNOWN") + Array("abc\n".utf8))
        #expect(try good.receive(count: 4) == Array("ABC\n".utf8))
        let scrape = try MetricsScrape.waitFor(url) { $0[#"procctl_proxy_header_failures_total{reason="too_long"}"#] == 1 }
        #expect(scrape[#"procctl_proxy_header_failures_total{reason="not_proxy"}"#] == 2)
        #expect(scrape[#"procctl_proxy_header_failures_total{reason="too_long"}"#] == 1)
        #expect(scrape[#"procctl_proxy_header_failures_total{reason="timeout"}"#] == 0)
        #expect(server.program.waitForStandardError(containing: "closed: not a PROXY protocol header", timeout: 10) != nil)
    }

    @Test("HAProxy with send-proxy-v2 in front: the program sees the client's address, not HAProxy's",
          .enabled(if: haproxy != nil, "needs haproxy in PATH (Debian's haproxy package)"))
    func behindHAProxy() throws {
        let server = try RunningServer(["--grace", "1", "--proxy-protocol", "--", "/bin/sh", "-c", Self.script])
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let front = try LoopbackPort.unused()
        let configuration = """
            global
                maxconn 64
            defaults
                mode tcp
                timeout connect 5s
                timeout client 10s
                timeout server 10s
            frontend front
                bind 127.0.0.1:\(front)
                default_backend back
            backend back
                server procctl 127.0.0.1:\(server.port) send-proxy-v2
            """
        let path = directory.path + "/haproxy.cfg"
        guard let file = fopen(path, "w") else { throw HarnessError("cannot write \(path)") }
        fputs(configuration + "\n", file)
        fclose(file)
        let balancer = try LaunchedProgram(Self.haproxy!, ["-db", "-f", path])
        defer { balancer.stop() }
        var connection: TestConnection?
        _ = TestClock.waitUntil(timeout: 10, interval: 0.05) {
            connection = try? TestConnection(port: front)
            return connection != nil
        }
        guard let connection else { throw HarnessError("haproxy never listened: \(balancer.standardError())") }
        defer { connection.close() }
        let clientPort = try #require(connection.localPort)
        let reply = String(decoding: try connection.stream(Array("through haproxy\n".utf8), timeout: 10), as: UTF8.self)
        #expect(reply == "TCP 127.0.0.1 \(clientPort) 127.0.0.1 \(front)\nthrough haproxy\n", "haproxy: \(balancer.standardError())")
    }
}
