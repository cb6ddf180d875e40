/// Python's `multiprocessing.connection` authkey handshake, as CPython 3.12 does it
/// (`deliver_challenge` and `answer_challenge`), so that either side may be Python 3.11,
/// Python 3.12 or later, or ProcCore.
///
/// The side that delivers a challenge sends `#CHALLENGE#` and a message; the other answers
/// with the message's HMAC under the shared key; the first replies `#WELCOME#` or
/// `#FAILURE#`. A `Listener` delivers then answers, a `Client` answers then delivers, so
/// each side proves the key to the other. Messages and digests:
/// - ProcCore delivers as 3.12 does: `{sha256}` and 40 random bytes. A 3.12 peer answers
///   `{sha256}` and HMAC-SHA256 of the whole message; a 3.11 peer, which knows no prefix,
///   answers a bare 16-byte HMAC-MD5 of it, which is accepted as 3.12 accepts it.
/// - ProcCore answers whatever it is asked: a bare 20-byte message (Python 3.11 and
///   earlier) with a bare HMAC-MD5, a `{digest}` message with `{digest}` and that HMAC.
///   So a ProcCore `Client` joins 3.11 and 3.12 listeners alike.
enum AuthenticationHandshake {
    static let challenge = Array("#CHALLENGE#".utf8)
    static let welcome = Array("#WELCOME#".utf8)
    static let failure = Array("#FAILURE#".utf8)
    /// The random part of a challenge (Python's `MESSAGE_LENGTH`).
    static let randomLength = 40
    /// A challenge of this length without a prefix comes from Python 3.11 or earlier.
    static let legacyMessageLength = 20
    /// A bare answer of this length is a legacy HMAC-MD5.
    static let md5DigestLength = 16
    /// The digest this side asks for.
    static let preferredDigest = ChallengeDigest.sha256

    /// Sends a challenge, checks the answer, and replies `#WELCOME#` or `#FAILURE#`.
    static func deliverChallenge(on channel: HandshakeChannel, authkey: [UInt8]) throws(ProcessError) {
        var message = Array("{\(preferredDigest.rawValue)}".utf8)
        var generator = SystemRandomNumberGenerator()
        message += (0..<randomLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        try channel.send(challenge + message)
        let response = try channel.receive()
        guard let (digest, code) = try? digestAndPayload(of: response) as (ChallengeDigest, [UInt8]),
              digest.isValid(code, for: message, key: authkey) else {
            try? channel.send(failure)
            throw ProcessError(.authenticationFailed, operation: "handshake: the peer's answer does not prove the authkey")
        }
        try channel.send(welcome)
    }

    /// Answers the peer's challenge and waits for its verdict.
    static func answerChallenge(on channel: HandshakeChannel, authkey: [UInt8]) throws(ProcessError) {
        let received = try channel.receive()
        guard received.starts(with: challenge) else {
            throw ProcessError(.authenticationFailed, operation: "handshake: expected a challenge, got \(received.count) other bytes")
        }
        let message = Array(received[challenge.count...])
        guard message.count >= legacyMessageLength else {
            throw ProcessError(.authenticationFailed, operation: "handshake: a challenge of \(message.count) bytes is too short")
        }
        let (digest, _) = try digestAndPayload(of: message)
        var answer = digest.authenticationCode(for: message, key: authkey)
        if !isLegacy(message) { answer = Array("{\(digest.rawValue)}".utf8) + answer }
        try channel.send(answer)
        guard try channel.receive() == welcome else {
            throw ProcessError(.authenticationFailed, operation: "handshake: the peer rejected this side's authkey")
        }
    }

    /// A legacy message (a 3.11 challenge, a bare MD5 answer) has one of two lengths that
    /// no prefixed message can have.
    private static func isLegacy(_ message: [UInt8]) -> Bool {
        message.count == legacyMessageLength || message.count == md5DigestLength
    }

    /// Python's `_get_digest_name_and_payload`: MD5 and the whole message for a legacy
    /// one, else the digest named in its `{name}` prefix and the bytes after it.
    private static func digestAndPayload(of message: [UInt8]) throws(ProcessError) -> (ChallengeDigest, [UInt8]) {
        if isLegacy(message) { return (.md5, message) }
        let longestName = ChallengeDigest.namesPythonAllows.map(\.count).max()!
        let open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
        if message.first == open, let end = message.prefix(longestName + 2).dropFirst().firstIndex(of: close) {
            let name = String(decoding: message[1..<end], as: UTF8.self)
            if let digest = ChallengeDigest(rawValue: name) { return (digest, Array(message[(end + 1)...])) }
            if ChallengeDigest.namesPythonAllows.contains(name) {
                throw ProcessError(.authenticationFailed, operation: "handshake: the peer asks for digest \(name), which ProcCore does not provide")
            }
        }
        throw ProcessError(.authenticationFailed, operation: "handshake: a message of \(message.count) bytes without a known {digest} prefix")
    }
}
