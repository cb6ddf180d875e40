import Crypto

/// An HMAC digest of Python's authkey handshake, by the name it has inside a message's
/// `{name}` prefix (CPython 3.12's `_ALLOWED_DIGESTS`). Python also allows `sha3_256`
/// and `sha3_384`, which swift-crypto lacks: a peer that insists on one of them is refused
/// (neither Python's default nor anything a ProcCore side sends).
enum ChallengeDigest: String {
    case md5, sha256, sha384

    /// Every name Python allows, supported here or not; the longest bounds the prefix search.
    static let namesPythonAllows: Set<String> = ["md5", "sha256", "sha384", "sha3_256", "sha3_384"]

    /// HMAC of `message` under `key`.
    func authenticationCode(for message: [UInt8], key: [UInt8]) -> [UInt8] {
        let key = SymmetricKey(data: key)
        switch self {
        case .md5: return Array(HMAC<Insecure.MD5>.authenticationCode(for: message, using: key))
        case .sha256: return Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
        case .sha384: return Array(HMAC<SHA384>.authenticationCode(for: message, using: key))
        }
    }

    /// Whether `code` is the HMAC of `message` under `key`, compared in constant time.
    func isValid(_ code: [UInt8], for message: [UInt8], key: [UInt8]) -> Bool {
        let key = SymmetricKey(data: key)
        switch self {
        case .md5: return HMAC<Insecure.MD5>.isValidAuthenticationCode(code, authenticating: message, using: key)
        case .sha256: return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: message, using: key)
        case .sha384: return HMAC<SHA384>.isValidAuthenticationCode(code, authenticating: message, using: key)
        }
    }
}
