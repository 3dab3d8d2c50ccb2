package io.impersonationprobe.probe;

import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.control.ControlPlanePoller;
import io.impersonationprobe.simulator.Simulator;
import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.testing.FreshDemo;
import io.impersonationprobe.testing.SimulatorResource;
import io.impersonationprobe.testing.SimulatorResource.InjectSimulator;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The demo's on-premises tenant end to end: the daemon probes Fabrikam over NTLM, and what the simulated EWS decides
 * from its directory arrives as the outcomes the demo describes; a change through the on-premises control API
 * (test profile: no cache delay) shows on the next cycle.
 */
@QuarkusTest
@WithTestResource(value = SimulatorResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class OnPremisesDemoProbeTest {
    @InjectSimulator
    Simulator simulator;

    @Inject
    ResultStore store;

    @Inject
    ProbeScheduler scheduler;

    @Inject
    ControlPlanePoller poller;

    @Inject
    ValidatedConfig config;

    @BeforeEach
    void demoTenant() {
        FreshDemo.restore(simulator, scheduler, poller, config);
    }

    private Outcome outcome(String target) {
        return store.status(ProbeKind.EWS, target).last().outcome();
    }

    @Test
    void fabrikamIsProbedOverNtlmWithTheDemosOutcomes() throws Exception {
        assertEquals(Outcome.OK, outcome("fabrikam-rooms/room.alder@fabrikam.com"));
        assertEquals(Outcome.OK, outcome("fabrikam-sales/amy.cole@fabrikam.com"));
        assertEquals(Outcome.IMPERSONATION_DENIED, outcome("fabrikam-protected/boardroom@fabrikam.com"), "shielded");
        assertEquals(Outcome.IMPERSONATION_DENIED, outcome("fabrikam-protected/fiona.ledger@fabrikam.com"), "disabled");
        assertEquals(Outcome.SCOPE_LEAK, outcome("fabrikam-protected/victor.hale@fabrikam.com"));

        simulator.onPremises().setMember("EWS Apps", "svc-probe", false);
        var group = config.groups().stream().filter(g -> g.name().equals("fabrikam-rooms")).findFirst().orElseThrow();
        scheduler.runCycle(group).get(60, TimeUnit.SECONDS);
        assertEquals(Outcome.IMPERSONATION_DENIED, outcome("fabrikam-rooms/room.alder@fabrikam.com"));
    }
}
