/// An encoder or decoder object linked to the one above it and the key that reached it:
/// the coding path is assembled from the links only when something asks for it (an error),
/// instead of an array being built for every nested value.
protocol CodingPathNode: AnyObject {
    var parentNode: Self? { get }
    var nodeKey: (any CodingKey)? { get }
}

extension CodingPathNode {
    /// The keys from the root down to this node.
    var assembledCodingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var node: Self? = self
        while let current = node {
            if let key = current.nodeKey { path.append(key) }
            node = current.parentNode
        }
        return path.reversed()
    }
}
