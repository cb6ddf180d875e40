/// A pool's tasks waiting for a worker, as ranges of task indices, first in first out;
/// tasks given back by a worker that died go to the front, so that they run next.
struct TaskQueue {
    private var ranges: [Range<Int>] = []
    private var head = 0
    /// Given-back ranges, the next one last.
    private var front: [Range<Int>] = []

    var isEmpty: Bool { front.isEmpty && head == ranges.count }

    mutating func append(_ range: Range<Int>) {
        ranges.append(range)
    }

    /// Puts `given` back before everything else, keeping its order.
    mutating func giveBack(_ given: [Range<Int>]) {
        front.append(contentsOf: given.reversed())
    }

    mutating func popFirst() -> Range<Int>? {
        if let range = front.popLast() { return range }
        guard head < ranges.count else { return nil }
        defer {
            head += 1
            // Drops the consumed prefix now and then, so that the array stays small.
            if head > 1024 && head * 2 > ranges.count {
                ranges.removeFirst(head)
                head = 0
            }
        }
        return ranges[head]
    }

    /// Empties the queue, returning what it held.
    mutating func removeAll() -> [Range<Int>] {
        defer {
            ranges = []
            head = 0
            front = []
        }
        return front.reversed() + ranges[head...]
    }

    /// Drops the tasks of `tasks` from the queue (cut out of the ranges that hold them),
    /// keeping the order of the rest.
    mutating func remove(_ tasks: Range<Int>) {
        let kept = removeAll().flatMap { $0.removing(tasks) }
        front = kept.reversed()
    }
}

extension Range<Int> {
    /// This range without the tasks of `other`: zero, one or two ranges, in order.
    func removing(_ other: Range<Int>) -> [Range<Int>] {
        guard overlaps(other) else { return [self] }
        var pieces: [Range<Int>] = []
        if lowerBound < other.lowerBound { pieces.append(lowerBound..<other.lowerBound) }
        if other.upperBound < upperBound { pieces.append(other.upperBound..<upperBound) }
        return pieces
    }
}
