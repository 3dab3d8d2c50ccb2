package io.impersonationprobe.control;

import io.impersonationprobe.api.Views;
import io.impersonationprobe.testing.Metrics;
import io.impersonationprobe.testing.SimulatorResource;
import io.impersonationprobe.testing.TestDirectory;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An on-premises tenant whose RBAC the daemon reads from a directory laid out as Exchange lays it out in Active
 * Directory, through the whole daemon: the poller, the prediction per target, the metrics (present from the first
 * scrape) and the tenant view. Its EWS endpoint is a closed port, so the probes observe nothing here.
 */
@QuarkusTest
@TestProfile(OnPremisesControlPlaneTest.WithDirectory.class)
@WithTestResource(value = SimulatorResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(OnPremisesControlPlaneTest.Directory.class)
class OnPremisesControlPlaneTest {

    @TestHTTPResource("/")
    URL daemon;

    @Inject
    ControlPlanePoller controlPlane;

    @Inject
    Views views;

    @Test
    void theDirectoryIsReadPredictedPerTargetAndPublished() throws Exception {
        Metrics first = Metrics.scrape(daemon.toString().replaceAll("/$", ""));
        for (String prediction : List.of("allow", "deny", "unknown")) {
            for (String agreement : ControlPlanePoller.AGREEMENTS) {
                assertFalse(first.find("impersonation_predictions", "tenant", "corp", "prediction", prediction,
                        "agreement", agreement).isEmpty(), prediction + "/" + agreement + " from the first scrape");
            }
        }
        assertTrue(controlPlane.polls("corp"));
        controlPlane.poll("corp");

        AccessConfiguration access = controlPlane.access("corp").orElseThrow();
        assertEquals(4L, access.countByRole().get("ApplicationImpersonation"));
        assertEquals("Delegating", access.assignments()
                .get("ApplicationImpersonation-Organization Management-Delegating").delegation());
        ConfiguredAccess room = controlPlane.configured("corp", "rooms/room1@corp.example.com").orElseThrow();
        assertEquals(ConfiguredAccess.Decision.ALLOW, room.decision(), room.chain());
        ConfiguredAccess cfo = controlPlane.configured("corp", "board/cfo@corp.example.com").orElseThrow();
        assertEquals(ConfiguredAccess.Decision.ALLOW, cfo.decision(), "the department filter leaks to the CFO");
        ConfiguredAccess ceo = controlPlane.configured("corp", "board/ceo@corp.example.com").orElseThrow();
        assertEquals(ConfiguredAccess.Decision.DENY, ceo.decision(), "the exclusive scope shields the CEO");

        Views.TenantView tenant = views.tenant("corp", true).orElseThrow();
        assertTrue(tenant.directory().startsWith("ldap://127.0.0.1:"), tenant.directory());
        assertEquals(2L, tenant.predictions().get("allow").get("unobserved"));
        assertEquals(1L, tenant.predictions().get("deny").get("unobserved"));
        assertTrue(tenant.roleAssignments().stream().anyMatch(a -> a.name().equals("Rooms impersonation")
                && "CustomRecipientScope".equals(a.scopeType())));

        Metrics after = Metrics.scrape(daemon.toString().replaceAll("/$", ""));
        assertEquals(List.of(4.0), after.find("impersonation_role_assignments", "tenant", "corp", "role",
                "ApplicationImpersonation").stream().map(Metrics.Sample::value).toList());
        assertEquals(List.of(2.0), after.find("impersonation_predictions", "tenant", "corp", "prediction", "allow",
                "agreement", "unobserved").stream().map(Metrics.Sample::value).toList());
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(daemon.toURI()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode(), "the status page renders with an on-premises tenant");
    }

    public static class WithDirectory implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(
                    Map.entry("impersonation.tenants.corp.kind", "on-premises"),
                    Map.entry("impersonation.tenants.corp.ews-url", "http://127.0.0.1:${closed.port}/EWS/Exchange.asmx"),
                    Map.entry("impersonation.tenants.corp.auth.method", "ntlm"),
                    Map.entry("impersonation.tenants.corp.auth.username", "CORP\\svc-ews"),
                    Map.entry("impersonation.tenants.corp.auth.password", "not-used-here"),
                    Map.entry("impersonation.tenants.corp.control-plane.ldap.bind-dn", TestDirectory.BIND_DN),
                    Map.entry("impersonation.tenants.corp.control-plane.ldap.bind-password", TestDirectory.BIND_PASSWORD),
                    Map.entry("impersonation.tenants.corp.control-plane.interval", "1h"),
                    Map.entry("impersonation.groups.rooms.tenant", "corp"),
                    Map.entry("impersonation.groups.rooms.mailboxes", "room1@corp.example.com"),
                    Map.entry("impersonation.groups.rooms.interval", "1h"),
                    Map.entry("impersonation.groups.board.tenant", "corp"),
                    Map.entry("impersonation.groups.board.expect", "deny"),
                    Map.entry("impersonation.groups.board.mailboxes", "cfo@corp.example.com,ceo@corp.example.com"),
                    Map.entry("impersonation.groups.board.interval", "1h"));
        }
    }

    /** The directory, and a closed port for the tenant's EWS. */
    public static class Directory implements QuarkusTestResourceLifecycleManager {
        private TestDirectory directory;

        @Override
        public Map<String, String> start() {
            try {
                directory = new TestDirectory("/ldap/exchange-onprem.ldif");
                int closed;
                try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    closed = socket.getLocalPort();
                }
                return Map.of("impersonation.tenants.corp.control-plane.ldap.url", directory.url(),
                        "closed.port", String.valueOf(closed));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void stop() {
            if (directory != null) {
                directory.close();
            }
        }
    }
}
