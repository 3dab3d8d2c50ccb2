package io.impersonationprobe.probe;

import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Expectation;
import io.impersonationprobe.target.Target;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static io.impersonationprobe.probe.MigrationReadiness.State.BLOCKER;
import static io.impersonationprobe.probe.MigrationReadiness.State.BROKEN;
import static io.impersonationprobe.probe.MigrationReadiness.State.GRAPH_LEAK;
import static io.impersonationprobe.probe.MigrationReadiness.State.READY;
import static io.impersonationprobe.probe.MigrationReadiness.State.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** What EWS and Graph verdicts side by side mean for the move. */
class MigrationReadinessTest {

    private static ProbeResult result(ProbeKind probe, Outcome outcome) {
        Target target = new Target("contoso", "g", "a@contoso.com", Expectation.ALLOW);
        return new ProbeResult(target, probe, outcome, null, 0, Instant.now(), Duration.ZERO, "", "", null);
    }

    private static MigrationReadiness.State allow(Outcome ews, Outcome graph) {
        return MigrationReadiness.state(Expectation.ALLOW, ews == null ? null : result(ProbeKind.EWS, ews),
                graph == null ? null : result(ProbeKind.GRAPH, graph));
    }

    private static MigrationReadiness.State deny(Outcome ews, Outcome graph) {
        return MigrationReadiness.state(Expectation.DENY, result(ProbeKind.EWS, ews), result(ProbeKind.GRAPH, graph));
    }

    @Test
    void allowTargets() {
        assertEquals(READY, allow(Outcome.OK, Outcome.OK));
        assertEquals(READY, allow(Outcome.IMPERSONATION_DENIED, Outcome.OK), "already works over Graph");
        assertEquals(BLOCKER, allow(Outcome.OK, Outcome.ACCESS_DENIED));
        assertEquals(BLOCKER, allow(Outcome.OK, Outcome.MAILBOX_NOT_ENABLED_FOR_REST), "an error over Graph blocks too");
        assertEquals(BROKEN, allow(Outcome.IMPERSONATION_DENIED, Outcome.ACCESS_DENIED), "broken already, not by the move");
        assertEquals(UNKNOWN, allow(Outcome.OK, null));
    }

    @Test
    void denyTargets() {
        assertEquals(READY, deny(Outcome.IMPERSONATION_DENIED, Outcome.ACCESS_DENIED));
        assertEquals(GRAPH_LEAK, deny(Outcome.IMPERSONATION_DENIED, Outcome.SCOPE_LEAK), "the move would open it");
        assertEquals(GRAPH_LEAK, deny(Outcome.SCOPE_LEAK, Outcome.SCOPE_LEAK));
        assertEquals(READY, deny(Outcome.SCOPE_LEAK, Outcome.ACCESS_DENIED), "Graph closes the EWS leak");
        assertEquals(BROKEN, deny(Outcome.IMPERSONATION_DENIED, Outcome.TIMEOUT), "an error is no refusal");
    }
}
