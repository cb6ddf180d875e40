/// The types a pool sends as their bytes in memory instead of through `BinaryEncoder`: plain
/// numbers, for which every bit pattern is a valid value (so that untrusted bytes cannot
/// make an invalid one) and both ends of a pool's connection share the layout (a worker is
/// a fork of the parent, or of a fork server of the same program). A chunk of them is one
/// copy each way, where the coder spends a call per element.
protocol RawBytesTransferable {}

extension Int: RawBytesTransferable {}
extension Int8: RawBytesTransferable {}
extension Int16: RawBytesTransferable {}
extension Int32: RawBytesTransferable {}
extension Int64: RawBytesTransferable {}
extension UInt: RawBytesTransferable {}
extension UInt8: RawBytesTransferable {}
extension UInt16: RawBytesTransferable {}
extension UInt32: RawBytesTransferable {}
extension UInt64: RawBytesTransferable {}
extension Float: RawBytesTransferable {}
extension Double: RawBytesTransferable {}
