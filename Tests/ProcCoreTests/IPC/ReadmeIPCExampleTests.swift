import ProcCore
import Testing

extension ForkingTests {
    /// The README's Pipe and ProcessQueue examples, as written there, do what it says.
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
    }
}
