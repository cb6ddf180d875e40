import Glibc

/// What every master loop is made of whatever its model, gathered by `Server.init`: what
/// the models work with too (`ServingContext`), the upgrade plan, the grace and the drain delay.
struct MasterParts {
    /// The SIGPIPE-free signals every master catches: SIGTERM and SIGINT drain, SIGHUP
    /// reloads, SIGUSR2 upgrades the binary, SIGQUIT stops at once.
    static let signals: [Int32] = [SIGTERM, SIGINT, SIGHUP, SIGUSR2, SIGQUIT]

    let context: ServingContext
    let upgrade: BinaryUpgrade
    let grace: Duration
    /// How long the server goes on accepting, not ready, after SIGTERM or SIGINT.
    let drainDelay: Duration

    /// Routes the master's signals and `model`'s own to a signal pipe, and returns the
    /// loop that serves with `model`, to run once.
    func loop<Model: ServingModel>(serving model: Model) throws(ProcessError) -> () -> ServerSummary {
        let signals = try SignalPipe.install(catching: Self.signals + model.ownSignals)
        let master = MasterLoop(model: model, context: context, signals: signals, upgrade: upgrade, grace: grace, drainDelay: drainDelay)
        return master.run
    }
}
