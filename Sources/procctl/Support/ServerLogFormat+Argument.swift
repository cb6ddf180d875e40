import ArgumentParser
import ProcCore

/// `--log-format text|json`: any other value is a usage error that lists these.
extension ServerLogFormat: ExpressibleByArgument {}
