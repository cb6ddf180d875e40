import CProcShim

import Glibc

/// Runs `body` while a thread of our own exists, blocked on a pipe, so that the process
/// surely has two threads; then releases and joins that thread.
public func withExtraThread(_ body: () throws -> Void) throws {
    let (readEnd, writeEnd) = try makePipe()
    let box = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    box.pointee = readEnd
    defer {
        _ = pc_close(readEnd)
        box.deallocate()
    }
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { arg in
        var byte: UInt8 = 0
        var count = 0
        _ = pc_read(arg!.assumingMemoryBound(to: Int32.self).pointee, &byte, 1, &count)
        return nil
    }, box)
    guard rc == 0 else {
        _ = pc_close(writeEnd)
        throw HarnessError("pthread_create: errno \(rc)")
    }
    defer {
        _ = pc_close(writeEnd)  // end of file releases the thread
        pthread_join(thread, nil)
    }
    try body()
}
