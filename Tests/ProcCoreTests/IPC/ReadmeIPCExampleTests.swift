import ProcCore
import Testing

extension ForkingTests {
    /// The library examples of the README and docs/library.md, as written there, do what they say.
    @Suite struct ReadmeIPCExampleTests {
        @Test func thePipeExample() throws {
            let pipe = try Pipe()
            let worker = ChildProcess(threadPolicy: .allow) { try pipe.second.send(try pipe.second.receive(String.self).uppercased()) }
            try worker.start()
            defer { stop(worker) }
            try pipe.first.send("hello")
            #expect(try pipe.first.receive(String.self) == "HELLO")
            let ready = try waitForReady([pipe.first, worker], timeout: .seconds(5))
            #expect(ready == [1], "no message is waiting; the worker has ended or soon will")
            finish(worker)
            pipe.second.close()
            #expect(processError { _ = try pipe.first.receive(String.self) }?.code == .endOfStream)
        }

        @Test func theQueueExample() throws {
            let queue = try ProcessQueue<[Int]>()
            let producer = ChildProcess(threadPolicy: .allow) { for i in 0..<100 { try queue.put([i, i * i]) } }
            try producer.start()
            defer { stop(producer) }
            try producer.join()
            #expect(producer.exitCode == 0)
            #expect(try queue.get(timeout: .seconds(5)) == [0, 0])
            for i in 1..<100 { #expect(try queue.get(timeout: .seconds(5)) == [i, i * i]) }
            #expect(processError { _ = try queue.getWithoutWaiting() }?.code == .empty)
        }

        @Test func theReadmeSharingExample() throws {
            let counter = try SharedValue(0)
            let pipe = try Pipe()
            let queue = try ProcessQueue<[Int]>()
            let worker = ChildProcess(threadPolicy: .allow) {
                try counter.withLock { $0 += 1 }
                try pipe.second.send("done")
                try queue.put([1, 2, 3])
            }
            try worker.start(); try worker.join()
            #expect(worker.exitCode == 0)
            #expect(try counter.load() == 1)
            #expect(try pipe.first.receive(String.self) == "done")
            #expect(try queue.get(timeout: .seconds(1)) == [1, 2, 3])

            let pool = try ProcessPool(workers: 2, threadPolicy: .allow) { (n: Int) in n * n }
            let squares = try pool.map(1...1000)
            pool.close(); try pool.join()
            #expect(squares.count == 1000 && squares.last == 1_000_000 && squares[9] == 100)
        }
    }
}
