package io.impersonationprobe.control;

import io.impersonationprobe.api.Views;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.ResultStore;
import io.impersonationprobe.probe.TargetStatus;
import io.impersonationprobe.probe.Verdict;
import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.testing.Await;
import io.impersonationprobe.testing.Metrics;
import io.impersonationprobe.testing.SimulatorResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo's on-premises tenant, Fabrikam, as the test profile starts it: the daemon reads its RBAC from the
 * simulator's directory on the free port the simulator published ({@code simulator.ldap-port}), predicts every target
 * and compares the prediction with what its EWS probes see over NTLM.
 */
@QuarkusTest
@WithTestResource(value = SimulatorResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class OnPremisesDemoTenantTest {
    private static final String TENANT = "fabrikam";

    @TestHTTPResource("/")
    URL daemon;

    @Inject
    ControlPlanePoller controlPlane;

    @Inject
    ResultStore store;

    @Inject
    Views views;

    @Test
    void theDemoDirectoryIsReadAndItsPredictionsMatchTheProbes() throws Exception {
        Metrics first = Metrics.scrape(daemon.toString().replaceAll("/$", ""));
        assertFalse(first.find("impersonation_predictions", "tenant", TENANT, "prediction", "allow", "agreement",
                "agrees").isEmpty(), "the prediction series exist from the first scrape");
        assertTrue(controlPlane.polls(TENANT), "control-plane.ldap.* configures the tenant's directory");
        assertTrue(controlPlane.predicts(TENANT));
        controlPlane.poll(TENANT);

        AccessConfiguration access = controlPlane.access(TENANT).orElseThrow(() -> new AssertionError(
                "the role assignments were not read from the simulator's directory"));
        assertFalse(access.assignments().get("Finance impersonation").grants(), "disabled");
        assertEquals("Delegating", access.assignments()
                .get("ApplicationImpersonation-Organization Management-Delegating").delegation());

        Map<String, ConfiguredAccess.Decision> expected = Map.of(
                "fabrikam-rooms/room.alder@fabrikam.com", ConfiguredAccess.Decision.ALLOW,
                "fabrikam-rooms/room.birch@fabrikam.com", ConfiguredAccess.Decision.ALLOW,
                "fabrikam-sales/amy.cole@fabrikam.com", ConfiguredAccess.Decision.ALLOW,
                "fabrikam-sales/ben.ross@fabrikam.com", ConfiguredAccess.Decision.ALLOW,
                "fabrikam-protected/boardroom@fabrikam.com", ConfiguredAccess.Decision.DENY,
                "fabrikam-protected/clara.dunn@fabrikam.com", ConfiguredAccess.Decision.DENY,
                "fabrikam-protected/fiona.ledger@fabrikam.com", ConfiguredAccess.Decision.DENY,
                "fabrikam-protected/victor.hale@fabrikam.com", ConfiguredAccess.Decision.ALLOW);
        expected.forEach((target, decision) -> {
            ConfiguredAccess predicted = controlPlane.configured(TENANT, target).orElseThrow();
            assertEquals(decision, predicted.decision(), target + ": " + predicted.chain());
        });
        assertTrue(controlPlane.configured(TENANT, "fabrikam-rooms/room.alder@fabrikam.com").orElseThrow().chain()
                .contains("EWS Apps"), "the grant through the nested group names the group path");

        // The simulator's EWS decides from its own directory code; the daemon's prediction agrees with every probe.
        for (String target : expected.keySet()) {
            TargetStatus status = store.status(ProbeKind.EWS, target);
            Await.until(Duration.ofSeconds(30), "a probe of " + target, () -> status.effective() != null
                    && status.effective().verdict() != Verdict.ERROR);
            ProbeResult result = status.effective();
            assertEquals(expected.get(target) == ConfiguredAccess.Decision.ALLOW, result.verdict() == Verdict.ALLOWED,
                    target + ": " + result.outcome() + " " + result.detail());
            assertEquals(Propagation.EFFECTIVE, controlPlane.propagation(status).orElseThrow(), target);
        }
        // Victor Hale is in the 'deny' group, yet the Sales filter opens his mailbox: the advice names the leak.
        Await.until(Duration.ofSeconds(30), "the leak explained", () -> {
            ProbeResult leak = store.status(ProbeKind.EWS, "fabrikam-protected/victor.hale@fabrikam.com").effective();
            return leak != null && leak.remediation() != null && leak.remediation().contains("Scope leak")
                    && leak.remediation().contains("Sales impersonation");
        });

        Views.TenantView tenant = views.tenant(TENANT, true).orElseThrow();
        assertTrue(tenant.directory().startsWith("ldap://127.0.0.1:"), tenant.directory());
        assertEquals(5L, tenant.predictions().get("allow").get("agrees"));
        assertEquals(3L, tenant.predictions().get("deny").get("agrees"));
        Metrics after = Metrics.scrape(daemon.toString().replaceAll("/$", ""));
        assertEquals(5.0, after.value("impersonation_predictions", "tenant", TENANT, "prediction", "allow",
                "agreement", "agrees").orElseThrow());
    }
}
