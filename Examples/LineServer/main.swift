// A line server on ProcCore: every line a client sends comes back reversed, each
// connection served by its own forked child. `LineServer [PORT]` (0: any free port).
import Glibc
import ProcCore

let port = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 7000
do {
    let server = try Server(configuration: ServerConfiguration(address: .tcp(host: "127.0.0.1", port: port))) { connection, peer in
        var lines = LineReader(connection)
        while let line = try lines.next() {
            try connection.writeAll(Array((String(line.reversed()) + "\n").utf8))
        }
    }
    print("listening on 127.0.0.1:\(server.port)")
    fflush(nil)   // the test reading stdout through a pipe needs the line now
    let summary = server.run()   // until SIGTERM or Ctrl-C, then the drain
    print("served \(summary.connectionsServed) connections")
} catch {
    print("LineServer: \(error)")   // a port in use: "listen on 127.0.0.1:7000: Address already in use"
    exit(1)
}
