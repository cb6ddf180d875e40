@testable import ProcCore
import Testing

/// A server's identity is configuration: its metrics and its upgrade variable follow it,
/// and nothing of procctl's is left in a library server's.
@Suite struct ServerIdentityTests {
    @Test func theIdentityNamesTheMetrics() {
        let text = MetricsExposition.text(
            of: ServerMetrics(model: "prefork", connectionsTotal: 3), state: .draining, identity: ServerIdentity(name: "shop", version: "1.2"),
            acceptQueue: nil)
        #expect(text.contains("shop_build_info{version=\"1.2\",model=\"prefork\"} 1\n"), "\(text)")
        #expect(text.contains("shop_connections_total 3\n"), "\(text)")
        // One sample per state, the current one 1.
        #expect(text.contains("shop_state{state=\"draining\"} 1\n"), "\(text)")
        #expect(text.contains("shop_state{state=\"serving\"} 0\n"), "\(text)")
        #expect(text.contains("shop_state{state=\"starting\"} 0\n"), "\(text)")
        #expect(!text.contains("procctl"), "\(text)")
    }

    @Test func theIdentityNamesTheUpgradeVariable() {
        #expect(ServerIdentity().readyVariable == "SERVER_READY_FD")
        // procctl's, as its masters before the identity existed named it: an upgrade from one works.
        #expect(ServerIdentity(name: "procctl").readyVariable == "PROCCTL_READY_FD")
    }
}
