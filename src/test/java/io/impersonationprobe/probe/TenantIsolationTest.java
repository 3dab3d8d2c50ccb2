package io.impersonationprobe.probe;

import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.testing.Await;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tenant whose EWS endpoint accepts connections and never answers must not delay any other tenant: its probes
 * time out on its own threads while the healthy tenant keeps its schedule.
 */
@QuarkusTest
@TestProfile(TenantIsolationTest.WithBlackHoleTenant.class)
@WithTestResource(value = SimulatorResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
@WithTestResource(TenantIsolationTest.BlackHole.class)
class TenantIsolationTest {

    @Inject
    ProbeScheduler scheduler;

    @Inject
    ResultStore store;

    @Test
    void aHangingTenantDoesNotDelayAHealthyOne() {
        // Three healthy cycles (5 s apart) run while the stuck group has not finished its first.
        Await.until(Duration.ofSeconds(30), "three cycles of the healthy group",
                () -> scheduler.progress().get("sales-and-support").completedCycles() >= 3);
        assertEquals(0, scheduler.progress().get("stuck").completedCycles(), "the stuck group is still on cycle one");
        assertEquals(1, scheduler.progress().get("stuck").startedCycles(),
                "three intervals passed, yet no second cycle started over the first");
        assertEquals(Outcome.OK, store.status(ProbeKind.EWS, "sales-and-support/alex.wilber@contoso.com").last().outcome());

        // And the stuck tenant's probes end as TIMEOUT at their deadline, one after another on its single thread.
        Await.until(Duration.ofSeconds(10), "the stuck tenant's first probe to end",
                () -> store.status(ProbeKind.EWS, "stuck/mailbox1@fabrikam.com").last() != null);
        ProbeResult first = store.status(ProbeKind.EWS, "stuck/mailbox1@fabrikam.com").last();
        assertEquals(Outcome.TIMEOUT, first.outcome(), first.detail());
        assertTrue(first.duration().compareTo(Duration.ofSeconds(6)) < 0, "cut at the 5 s deadline: " + first.duration());
        assertNull(store.status(ProbeKind.EWS, "stuck/mailbox4@fabrikam.com").last(), "concurrency 1: the rest still wait their turn");
    }

    public static class WithBlackHoleTenant implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.ofEntries(
                    Map.entry("impersonation.tenants.black-hole.kind", "exchange-online"),
                    Map.entry("impersonation.tenants.black-hole.concurrency", "1"),
                    Map.entry("impersonation.tenants.black-hole.auth.directory", "contoso.onmicrosoft.com"),
                    Map.entry("impersonation.tenants.black-hole.auth.client-id", "6731de76-14a6-49ae-97bc-6eba6914391e"),
                    Map.entry("impersonation.tenants.black-hole.auth.client-secret", "simulator-demo-secret"),
                    Map.entry("impersonation.tenants.black-hole.auth.authority-url-override", "http://127.0.0.1:${simulator.port}"),
                    Map.entry("impersonation.tenants.black-hole.control-plane.enabled", "false"),
                    Map.entry("impersonation.groups.stuck.tenant", "black-hole"),
                    Map.entry("impersonation.groups.stuck.interval", "5s"),
                    Map.entry("impersonation.groups.stuck.mailboxes",
                            "mailbox1@fabrikam.com,mailbox2@fabrikam.com,mailbox3@fabrikam.com,mailbox4@fabrikam.com"));
        }
    }

    /** Accepts connections and never reads or answers. */
    public static class BlackHole implements QuarkusTestResourceLifecycleManager {
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
            }, "black-hole");
            acceptor.setDaemon(true);
            acceptor.start();
            return Map.of("impersonation.tenants.black-hole.ews-url",
                    "http://127.0.0.1:" + server.getLocalPort() + "/EWS/Exchange.asmx");
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
