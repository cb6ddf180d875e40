/// Python's `bytes.upper()`, computed independently of the server: a-z become A-Z.
func pythonUpper(_ bytes: [UInt8]) -> [UInt8] {
    bytes.map { (0x61...0x7a).contains($0) ? $0 - 0x20 : $0 }
}
