import CProcShim

import Glibc

/// The master's admin endpoint: a tiny HTTP/1.x server that never blocks the loop it runs
/// in, for `/metrics` (Prometheus), `/healthz` (200 while the master runs) and `/readyz`
/// (200 while the server accepts new connections, 503 while it starts or drains), each
/// with a one-word body for the last two, as Kubernetes' probes and HAProxy's
/// `option httpchk` read them.
///
/// Its listener and its connections sit in one event set (epoll), whose one descriptor
/// the master's poll watches: the master's loop gains one poll slot, not one per scraper.
/// Every socket is non-blocking; a request is at most `requestLimit` bytes; a connection
/// lives at most `connectionTimeout`, whatever it does; at most `connectionLimit` are
/// open at once (the next ones wait in the listener's backlog). A slow or stuck scraper
/// costs the master a few system calls and one slot until it times out, nothing more.
final class MetricsEndpoint {
    /// Connections served at once; beyond, the listener leaves the event set.
    static let connectionLimit = 8
    /// The longest request (line and headers) read; a longer one is answered 431.
    static let requestLimit = 4096
    /// How long one connection may live, request and response included.
    static let connectionTimeout: Duration = .seconds(2)

    private struct Scrape {
        let descriptor: Int32
        let deadline: MonotonicInstant
        var request: [UInt8] = []
        /// The response, once the request is complete; what is left to write from `written`.
        var response: [UInt8]?
        var written = 0
    }

    /// The event set's descriptor, for the master's poll: readable when a scraper needs attention.
    let descriptor: Int32
    /// The address served, with the real port.
    let address: SocketAddress
    private let listener: SocketListener
    private var scrapes: [Scrape] = []
    private var listenerWatched = true
    /// After a failed accept (EMFILE...): the listener is left alone until then, since it
    /// stays readable and would wake the master's poll at once, again and again.
    private var acceptPausedUntil: MonotonicInstant?
    /// How long accepting pauses after a failed accept.
    static let acceptPause: Duration = .milliseconds(100)
    private var closed = false

    /// Listens on `address` (port 0: an ephemeral one). Throws with the operation
    /// `metrics on HOST:PORT` when it cannot.
    init(address requested: SocketAddress) throws(ProcessError) {
        let operation = "metrics on \(requested)"
        do {
            // SO_REUSEPORT: after a binary upgrade the new master binds this address while
            // the old one, draining, still serves it (a listener without the option, such
            // as another program's, still makes this fail with EADDRINUSE).
            listener = try SocketListener(address: requested, backlog: 16, reusePort: true)
        } catch {
            throw ProcessError(error.code, operation: operation, errno: error.errno)
        }
        var set: Int32 = -1
        var result = pc_set_nonblocking(listener.rawDescriptor, true)
        if result == 0 { result = pc_epoll_create(&set) }
        if result == 0 { result = pc_epoll_watch_readable(set, listener.rawDescriptor, UInt64(listener.rawDescriptor)) }
        if result != 0 {
            listener.close()
            if set >= 0 { _ = pc_close(set) }
            throw .systemCall(operation, result)
        }
        descriptor = set
        address = listener.address
    }

    deinit {
        close()
    }

    /// The earliest moment a connection times out, or nil with none open.
    var nextDeadline: MonotonicInstant? {
        [scrapes.lazy.map(\.deadline).min(), acceptPausedUntil].compactMap { $0 }.min()
    }

    /// Does what is ready without waiting: accepts, reads requests, answers them (with
    /// `render()` for `/metrics`, from `state` for `/readyz`), writes, and closes
    /// connections that are done or past their time.
    func serve(at now: MonotonicInstant, state: ServerState, render: () -> String) {
        guard !closed else { return }
        // Each descriptor is watched with itself as its token.
        var tokens = [UInt64](repeating: 0, count: 16)
        var count: Int32 = 0
        if pc_epoll_wait(descriptor, &tokens, Int32(tokens.count), 0, &count) == 0 {
            for token in tokens[0..<Int(count)] {
                let fd = Int32(truncatingIfNeeded: token)
                if fd == listener.rawDescriptor {
                    acceptScrapes(at: now)
                } else if let scrape = scrapes.firstIndex(where: { $0.descriptor == fd }) {
                    progress(scrapeAt: scrape, state: state, render: render)
                }
            }
        }
        for index in scrapes.indices.reversed() where scrapes[index].deadline <= now { finish(scrapeAt: index) }
        if let paused = acceptPausedUntil, paused <= now { acceptPausedUntil = nil }
        let wantsListener = scrapes.count < Self.connectionLimit && acceptPausedUntil == nil
        if wantsListener != listenerWatched {
            listenerWatched = wantsListener
            _ = wantsListener ? pc_epoll_watch_readable(descriptor, listener.rawDescriptor, UInt64(listener.rawDescriptor))
                : pc_epoll_remove(descriptor, listener.rawDescriptor)
        }
    }

    /// Closes the listener, the event set and every connection: in a forked child, whose
    /// copies must not keep them open, and in the master when the server stops.
    func close() {
        guard !closed else { return }
        closed = true
        for scrape in scrapes { _ = pc_close(scrape.descriptor) }
        scrapes.removeAll()
        listener.close()
        _ = pc_close(descriptor)
    }

    // MARK: - Connections

    private func acceptScrapes(at now: MonotonicInstant) {
        while scrapes.count < Self.connectionLimit {
            var fd: Int32 = -1
            let result = pc_accept(listener.rawDescriptor, 0, &fd, nil, 0, nil)
            if result == EAGAIN || result == EWOULDBLOCK { return }
            guard result == 0 else {
                acceptPausedUntil = now + Self.acceptPause
                return
            }
            guard pc_set_nonblocking(fd, true) == 0, pc_epoll_watch_readable(descriptor, fd, UInt64(fd)) == 0 else {
                _ = pc_close(fd)
                continue
            }
            scrapes.append(Scrape(descriptor: fd, deadline: now + Self.connectionTimeout))
        }
    }

    private func progress(scrapeAt index: Int, state: ServerState, render: () -> String) {
        if scrapes[index].response == nil && !readRequest(scrapeAt: index, state: state, render: render) {
            finish(scrapeAt: index)
            return
        }
        guard scrapes[index].response != nil else { return }
        if !writeResponse(scrapeAt: index) { finish(scrapeAt: index) }
    }

    /// Reads what has come; false when the connection should close (end of input before
    /// a whole request, an error).
    private func readRequest(scrapeAt index: Int, state: ServerState, render: () -> String) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 1024)
        while scrapes[index].response == nil {
            var count = 0
            let result = chunk.withUnsafeMutableBytes { pc_read(scrapes[index].descriptor, $0.baseAddress, $0.count, &count) }
            if result == EAGAIN || result == EWOULDBLOCK { return true }
            guard result == 0, count > 0 else { return false }
            scrapes[index].request += chunk[0..<min(count, Self.requestLimit + 1 - scrapes[index].request.count)]
            if Self.headersEnd(in: scrapes[index].request) {
                scrapes[index].response = Self.response(to: scrapes[index].request, state: state, render: render)
            } else if scrapes[index].request.count > Self.requestLimit {
                scrapes[index].response = Self.response(status: "431 Request Header Fields Too Large", body: "request too long\n")
                // What has come is read and dropped: closing over unread bytes would reset
                // the connection before the client reads the answer.
                while chunk.withUnsafeMutableBytes({ pc_read(scrapes[index].descriptor, $0.baseAddress, $0.count, &count) }) == 0 && count > 0 {}
            }
        }
        return true
    }

    /// Writes what the socket takes; false when the connection should close (all written,
    /// or an error), true while some is left (then the connection waits to be writable).
    private func writeResponse(scrapeAt index: Int) -> Bool {
        guard let response = scrapes[index].response else { return true }
        while scrapes[index].written < response.count {
            var written = 0
            let result = response.withUnsafeBytes { bytes in
                pc_write_some(scrapes[index].descriptor, bytes.baseAddress! + scrapes[index].written,
                              bytes.count - scrapes[index].written, &written)
            }
            if result == EAGAIN || result == EWOULDBLOCK {
                _ = pc_epoll_watch_writable(descriptor, scrapes[index].descriptor, UInt64(scrapes[index].descriptor))
                return true
            }
            guard result == 0 else { return false }
            scrapes[index].written += written
        }
        return false
    }

    private func finish(scrapeAt index: Int) {
        _ = pc_close(scrapes[index].descriptor)  // closing also takes it out of the event set
        scrapes.remove(at: index)
    }

    // MARK: - HTTP

    private static func headersEnd(in request: [UInt8]) -> Bool {
        for index in request.indices.dropFirst() where request[index] == UInt8(ascii: "\n") {
            if request[index - 1] == UInt8(ascii: "\n") { return true }
            if index >= 3 && request[index - 1] == UInt8(ascii: "\r") && request[index - 2] == UInt8(ascii: "\n") { return true }
        }
        return false
    }

    /// The response to a whole request: the metrics for `GET /metrics` (or HEAD), `ok` for
    /// `/healthz`, `ready` or 503 with the state (`starting`, `draining`) for `/readyz`,
    /// 404 elsewhere, 405 for another method.
    private static func response(to request: [UInt8], state: ServerState, render: () -> String) -> [UInt8] {
        let line = request.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        guard parts.count >= 2 else { return response(status: "400 Bad Request", body: "bad request\n") }
        let method = String(decoding: parts[0], as: UTF8.self)
        let target = String(decoding: parts[1], as: UTF8.self)
        guard method == "GET" || method == "HEAD" else {
            return response(status: "405 Method Not Allowed", body: "only GET and HEAD\n", extraHeaders: "Allow: GET, HEAD\r\n")
        }
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? target
        let includeBody = method == "GET"
        switch path {
        case "/metrics":
            return response(status: "200 OK", body: render(), contentType: MetricsExposition.contentType, includeBody: includeBody)
        case "/healthz":
            return response(status: "200 OK", body: "ok\n", includeBody: includeBody)
        case "/readyz":
            guard state.isReady else { return response(status: "503 Service Unavailable", body: "\(state.rawValue)\n", includeBody: includeBody) }
            return response(status: "200 OK", body: "ready\n", includeBody: includeBody)
        default:
            return response(status: "404 Not Found", body: "not found: /metrics, /healthz and /readyz are served\n")
        }
    }

    private static func response(status: String, body: String, contentType: String = "text/plain; charset=utf-8",
                                 extraHeaders: String = "", includeBody: Bool = true) -> [UInt8] {
        let bytes = Array(body.utf8)
        let head = "HTTP/1.1 \(status)\r\nContent-Type: \(contentType)\r\nContent-Length: \(bytes.count)\r\n\(extraHeaders)Connection: close\r\n\r\n"
        return Array(head.utf8) + (includeBody ? bytes : [])
    }
}
