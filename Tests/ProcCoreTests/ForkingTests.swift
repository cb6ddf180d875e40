import Testing

/// Every ProcCore test, run one at a time (all of them fork or throw).
///
/// A forked child of this multithreaded test process inherits whatever locks other
/// threads held at the fork. Swift Testing records a backtrace on every `throw`
/// (a willThrow hook that instantiates metadata under the runtime's locks): a child
/// forked while another test throws could hang for ever on its own first `throw`
/// (seen: 16 of 300 children with one thread throwing in a loop). pc_fork now clears
/// that hook in the child (ThrowWhileForkingTests); serial tests still keep other test
/// threads quiet while a child starts, against the locks no hook reset can reach.
@Suite(.serialized) enum ForkingTests {}
