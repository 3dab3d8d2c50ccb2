package io.impersonationprobe.api;

import io.impersonationprobe.probe.ProbeScheduler;
import io.impersonationprobe.testing.Daemon;
import io.impersonationprobe.testing.SimulatorResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status page in a real browser before any probe has finished: the demo tenant's token endpoint, EWS, Graph and
 * admin API, and the on-premises tenant's EWS, all behind a server that accepts connections and never answers, with
 * timeouts of 5 minutes, so every first probe is still waiting while Chromium renders {@code /}. The page must say so
 * plainly and claim no verdict.
 */
@QuarkusTest
@TestProfile(StatusPageBeforeFirstProbeBrowserTest.LongTimeouts.class)
@WithTestResource(value = SimulatorResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(StatusPageBeforeFirstProbeBrowserTest.Unanswering.class)
class StatusPageBeforeFirstProbeBrowserTest {
    @Inject
    ProbeScheduler scheduler;

    @Test
    void saysThatNoProbeHasFinishedYet() throws Exception {
        Path chromium = StatusPageBrowserTest.chromium();
        assertTrue(scheduler.progress().values().stream().allMatch(p -> p.completedCycles() == 0),
                "no cycle finished: " + scheduler.progress());
        String dom = StatusPageBrowserTest.chromium(chromium, "--dump-dom", Daemon.url() + "/");
        assertTrue(scheduler.progress().values().stream().allMatch(p -> p.completedCycles() == 0),
                "still no cycle finished after rendering: " + scheduler.progress());

        assertTrue(dom.contains("<p class=\"warn\" id=\"no-data\"><strong>No probe has finished yet.</strong>"), dom);
        assertTrue(dom.contains("<h2 id=\"failing\">Failing targets (0)</h2>"), dom);
        assertTrue(dom.contains("Not known yet."), dom);
        assertFalse(dom.contains("None: every probed target shows what its group expects"), "no verdict claimed: " + dom);
        assertFalse(dom.contains("failing-target"), dom);
        assertTrue(dom.contains("<title>impersonation-probe</title>"), "no failing count in the title: " + dom);
        // The groups are listed, every target unknown.
        assertTrue(dom.contains("<strong>sales-and-support</strong>"), dom);
        assertEquals(-1, dom.indexOf("class=\"ok\">1<"), "no target counted ok: " + dom);
    }

    public static class LongTimeouts implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("impersonation.probe.timeout", "5m",
                    "impersonation.tenants.contoso.auth.token-timeout", "5m",
                    "impersonation.tenants.contoso.control-plane.timeout", "5m");
        }
    }

    /** Accepts connections and never reads or answers; every demo endpoint of both tenants points at it. */
    public static class Unanswering implements QuarkusTestResourceLifecycleManager {
        private ServerSocket server;
        private final List<Socket> held = new CopyOnWriteArrayList<>();

        @Override
        public Map<String, String> start() {
            try {
                server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        held.add(server.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "unanswering");
            acceptor.setDaemon(true);
            acceptor.start();
            String base = "http://127.0.0.1:" + server.getLocalPort();
            String tenant = "impersonation.tenants.contoso.";
            String onPremises = "impersonation.tenants.fabrikam.";
            return Map.of(tenant + "ews-url", base + "/EWS/Exchange.asmx",
                    tenant + "auth.authority-url-override", base,
                    tenant + "graph.url", base,
                    tenant + "control-plane.admin-api-url", base,
                    onPremises + "ews-url", base + "/fabrikam/EWS/Exchange.asmx",
                    onPremises + "control-plane.ldap.url", "ldap://127.0.0.1:" + server.getLocalPort());
        }

        @Override
        public void stop() {
            try {
                server.close();
                for (Socket socket : held) {
                    socket.close();
                }
            } catch (IOException ignored) {
                // The test is over.
            }
        }
    }
}
