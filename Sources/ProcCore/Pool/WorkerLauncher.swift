import CProcShim

/// How a pool's workers come to life: forks of this process, or children of a fork
/// server that was created with the pool's `ProcessPool.Work`. Everything a new worker is
/// told (its slot, the slots' memory, its limits, the work) comes from here.
struct WorkerLauncher<Input: Codable, Output: Codable> {
    let startMethod: PoolStartMethod
    let workName: String
    let initializer: (() throws -> Void)?
    let function: (Input) throws -> Output
    let maxTasks: Int?
    let memoryLimit: Int?
    /// The error types that cross back as themselves.
    let errorTypes: TaskErrorTypes

    /// Starts the worker of `slot`, talking over `workerEnd` (which the caller closes
    /// afterwards). A forked worker first closes `parentDescriptors`: the parent's ends of
    /// every connection (or no end of stream would ever come) and the pool's epoll set.
    func start(slot: Int, slots: WorkerSlots, workerEnd: Connection, parentDescriptors: [Int32]) throws(ProcessError) -> PoolWorker.Process {
        switch try startMethod.resolved() {
        case .fork(let threadPolicy):
            let loop = WorkerLoop(
                connection: workerEnd, slots: slots, slot: slot, maxTasks: maxTasks,
                memoryLimit: memoryLimit, initializer: initializer, function: function, errorTypes: errorTypes)
            // A daemon, as Python's pool workers are: a program that exits holding the pool
            // (a global is never dropped) terminates its workers instead of waiting for them.
            let child = ChildProcess(name: "PoolWorker-\(slot)", isDaemon: true, threadPolicy: threadPolicy) {
                for fd in parentDescriptors { _ = pc_close(fd) }
                try loop.run()
            }
            try child.start()
            return .forked(child)
        case .server(let server):
            let settings = PoolMessage.WorkerSettings(
                slot: slot, slotCount: slots.count, maxTasks: maxTasks, memoryLimit: memoryLimit)
            return .served(try server.start(
                entryNamed: workName, argument: BinaryEncoder().encode(settings),
                passing: [workerEnd.rawDescriptor, slots.descriptor]))
        }
    }
}
