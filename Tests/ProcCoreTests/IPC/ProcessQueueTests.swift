import CProcShim
import ProcCore
import ProcTestSupport
import Testing

extension ForkingTests {
    /// ProcessQueue across real processes: several producers and consumers with no loss or
    /// duplication, a producer that exits before its items are read, and the typed
    /// `empty`/`full` errors.
    @Suite struct ProcessQueueTests {
        struct Item: Codable, Hashable {
            let producer: Int
            let index: Int
        }

        @Test func severalProducersAndConsumersLoseAndDuplicateNothing() throws {
            let queue = try ProcessQueue<Item?>(bufferSize: 4096)   // small: producers block, wrap-around happens
            let results = try ProcessQueue<[Item]>()
            let perProducer = 300
            let producers = (0..<3).map { p in
                ChildProcess(threadPolicy: .allow) { for i in 0..<perProducer { try queue.put(Item(producer: p, index: i)) } }
            }
            let consumers = (0..<2).map { _ in
                ChildProcess(threadPolicy: .allow) {
                    var got: [Item] = []
                    while let item = try queue.get(timeout: .seconds(20)) { got.append(item) }
                    try results.put(got)
                }
            }
            for child in producers + consumers { try child.start() }
            defer { for child in producers + consumers { stop(child) } }
            for child in producers { finish(child) }
            #expect(producers.allSatisfy { $0.exitCode == 0 })
            for _ in consumers { try queue.put(nil) }
            let lists = [try results.get(timeout: .seconds(20)), try results.get(timeout: .seconds(20))]
            for child in consumers { finish(child) }
            #expect(consumers.allSatisfy { $0.exitCode == 0 })
            let all = lists.flatMap { $0 }
            #expect(all.count == 3 * perProducer)
            #expect(Set(all).count == all.count, "no item twice")
            for p in 0..<3 {
                // Each consumer sees one producer's items in the order they were put.
                for list in lists {
                    let indices = list.filter { $0.producer == p }.map(\.index)
                    #expect(indices == indices.sorted())
                }
            }
            #expect(try queue.isEmpty)
        }

        @Test func aChildThatPutOneMebibyteExitsBeforeTheParentReads() throws {
            let queue = try ProcessQueue<[UInt8]>()
            let itemCount = 256
            let child = ChildProcess(threadPolicy: .allow) {
                for i in 0..<itemCount { try queue.put([UInt8](repeating: UInt8(i), count: 4096)) }
            }
            try child.start()
            defer { stop(child) }
            finish(child)   // joined before anything is read
            #expect(child.exitCode == 0)
            #expect(try queue.count == itemCount)
            for i in 0..<itemCount {
                let item = try queue.get(timeout: .seconds(5))
                #expect(item.count == 4096 && item.allSatisfy { $0 == UInt8(i) })
            }
            #expect(processError { _ = try queue.getWithoutWaiting() }?.code == .empty)
        }

        @Test func beyondItsBufferAPutBlocksUntilAConsumerMakesRoom() throws {
            let queue = try ProcessQueue<[UInt8]>(bufferSize: 64 << 10)
            let itemCount = 256
            let child = ChildProcess(threadPolicy: .allow) {
                for i in 0..<itemCount { try queue.put([UInt8](repeating: UInt8(i), count: 4096)) }
            }
            try child.start()
            defer { stop(child) }
            #expect(try !child.join(timeout: .milliseconds(300)), "the producer waits in put: 1 MiB does not fit in 64 KiB")
            #expect(try queue.count < 16)
            for i in 0..<itemCount {
                let item = try queue.get(timeout: .seconds(10))
                #expect(item.first == UInt8(i) && item.count == 4096)
            }
            finish(child)
            #expect(child.exitCode == 0)
        }

        @Test func nonBlockingAndTimedFormsThrowEmptyAndFull() throws {
            let queue = try ProcessQueue<String>(maximumCount: 2)
            #expect(processError { _ = try queue.getWithoutWaiting() }?.code == .empty)
            let started = pc_monotonic_ns()
            #expect(processError { _ = try queue.get(timeout: .milliseconds(100)) }?.code == .empty)
            #expect(seconds(since: started) >= 0.09)
            try queue.putWithoutWaiting("a")
            try queue.put("b", timeout: .zero)
            #expect(processError { try queue.putWithoutWaiting("c") }?.code == .full)
            #expect(processError { try queue.put("c", timeout: .milliseconds(50)) }?.code == .full)
            #expect(try queue.getWithoutWaiting() == "a")
            try queue.putWithoutWaiting("c")
            #expect(try queue.get() == "b")
            #expect(try queue.get() == "c")
        }

        @Test func anItemThatCannotBeEncodedOrIsTooLargeFailsItsOwnPut() throws {
            let queue = try ProcessQueue<Unencodable>()
            #expect(processError { try queue.put(Unencodable()) }?.code == .unencodableValue)
            #expect(try queue.isEmpty)
            let small = try ProcessQueue<[UInt8]>(bufferSize: 1024)
            #expect(processError { try small.put([UInt8](repeating: 0, count: 1024)) }?.code == .messageTooLarge)
            try small.put([UInt8](repeating: 7, count: 1000))
            #expect(try small.get() == [UInt8](repeating: 7, count: 1000))
        }

        @Test func aConsumerKilledWhileWaitingLeavesTheQueueUsable() throws {
            let queue = try ProcessQueue<Int>()
            let waiter = ChildProcess(threadPolicy: .allow) { _ = try queue.get() }
            try waiter.start()
            defer { stop(waiter) }
            #expect(try !waiter.join(timeout: .milliseconds(100)))
            try waiter.kill()
            finish(waiter)
            try queue.put(5)
            #expect(try queue.get(timeout: .seconds(5)) == 5)
        }

        @Test func aClosedQueueRefusesUseHereOnly() throws {
            let queue = try ProcessQueue<Int>()
            try queue.put(1)
            queue.close()
            #expect(processError { try queue.put(2) }?.code == .closed)
            #expect(processError { _ = try queue.get() }?.code == .closed)
            #expect(processError { _ = try ProcessQueue<Int>(bufferSize: 0) }?.code == .invalidArgument)
            #expect(processError { _ = try ProcessQueue<Int>(maximumCount: 0) }?.code == .invalidArgument)
        }
    }
}
