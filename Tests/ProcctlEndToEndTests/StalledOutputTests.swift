import CProcShim
import ProcTestSupport
import Testing

import Glibc

/// The master blocks only in its one poll: a service manager that does not read its
/// notifications, or a stderr pipe that nobody reads, costs log lines and notifications,
/// never the serving, the metrics or the stop.
@Suite("A stalled reader never stalls the master")
struct StalledOutputTests {
    /// Fork per connection (the master accepts every connection) and prefork.
    static let models: [[String]] = [[], ["--workers", "2"]]

    @Test("A notify socket nobody reads: one log line, then metrics answer, connections are served and SIGTERM stops the server",
          .enabled(if: MetricsScrape.clientAvailable, MetricsScrape.clientSkipReason), arguments: models)
    func notifySocketNobodyReads(model: [String]) throws {
        let socket = try NotifySocket(abstract: false)
        // WATCHDOG=1 every 5 ms: the socket's queue (10 datagrams) is full at once.
        let program = try LaunchedProgram("env", [
            "NOTIFY_SOCKET=\(socket.name)", "WATCHDOG_USEC=20000", Procctl.path,
            "serve", "--port", "0", "--metrics", "127.0.0.1:0", "--grace", "1",
        ] + model)
        defer { program.stop() }
        let line = program.readLine(timeout: 10) ?? ""
        guard line.hasPrefix("listening on 127.0.0.1:"), let port = Int(line.split(separator: ":").last ?? "") else {
            throw HarnessError("no 'listening on' line: \(line); stderr: \(program.standardError())")
        }
        guard let metrics = program.readLine(timeout: 10), metrics.hasPrefix("metrics on ") else {
            throw HarnessError("no 'metrics on' line; stderr: \(program.standardError())")
        }
        let url = String(metrics.dropFirst("metrics on ".count))
        let dropped = "does not read its notifications"
        #expect(program.waitForStandardError(containing: dropped, timeout: 10) != nil, "\(program.standardError())")
        for index in 0..<3 {
            let connection = try TestConnection(port: port)
            defer { connection.close() }
            #expect(try connection.roundTrip("served \(index)") == "SERVED \(index)")
        }
        let scrape = try MetricsScrape.waitFor(url) { $0["procctl_connections_total"] == 3 }
        #expect(scrape["procctl_connections_total"] == 3)
        // Hundreds of pings were dropped meanwhile: one line said so.
        #expect(program.standardError().components(separatedBy: dropped).count == 2, "\(program.standardError())")
        program.send(signal: SIGTERM)
        #expect(program.exitCode(timeout: 20) == 0, "\(program.standardError())")
    }

    @Test("A stderr pipe nobody reads, flooded with log lines: connections go on being served and SIGTERM stops the server",
          arguments: [["--grace", "1"], ["--workers", "2", "--max-requests", "1", "--grace", "1"]])
    func stderrPipeNobodyReads(arguments: [String]) throws {
        // Fork mode logs two lines per connection; prefork with --max-requests 1 logs
        // each worker's recycling: 200 connections write far more than the pipe's 4 KiB.
        let program = try LaunchedProgram(Procctl.path, ["serve", "--port", "0"] + arguments, errorOutput: .unreadPipe)
        defer { program.stop() }
        let line = program.readLine(timeout: 10) ?? ""
        guard line.hasPrefix("listening on 127.0.0.1:"), let port = Int(line.split(separator: ":").last ?? "") else {
            throw HarnessError("no 'listening on' line: \(line)")
        }
        for index in 0..<200 {
            let connection = try TestConnection(port: port)
            defer { connection.close() }
            let reply = try connection.roundTrip("flood \(index)")
            #expect(reply == "FLOOD \(index)")
            if reply != "FLOOD \(index)" { break }
        }
        #expect(program.unreadStandardErrorBytes() >= 4000, "the pipe never filled: \(program.unreadStandardErrorBytes()) bytes")
        program.send(signal: SIGTERM)
        #expect(program.exitCode(timeout: 20) == 0)
    }
}
