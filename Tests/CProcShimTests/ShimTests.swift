import Testing

/// Every shim test, run one at a time.
///
/// A forked child of this multithreaded test process inherits whatever locks other
/// threads held at the fork (the Swift runtime's metadata caches, Swift Testing's
/// backtrace cache for thrown errors); with other tests quiet while a child runs
/// Swift code, none of them is taken at that moment.
@Suite(.serialized) enum ShimTests {}
