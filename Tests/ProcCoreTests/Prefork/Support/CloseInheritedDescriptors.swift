import CProcShim

/// In a child forked by a test: closes every descriptor but stdio and `kept`.
///
/// Tests fork in parallel, so a child holds every descriptor open in the test process at
/// its fork: other tests' pipe ends (whose readers then see no end of file) and client
/// sockets (whose servers never see them close). A child that lives a while should
/// hold none of them.
func closeInheritedDescriptors(keeping kept: Int32...) {
    for fd in Int32(3)..<1024 where !kept.contains(fd) { _ = pc_close(fd) }
}
