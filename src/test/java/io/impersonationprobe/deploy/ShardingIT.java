package io.impersonationprobe.deploy;

import io.impersonationprobe.target.Expectation;
import io.impersonationprobe.target.Shard;
import io.impersonationprobe.target.Target;
import io.impersonationprobe.testing.DaemonProcess;
import io.impersonationprobe.testing.Metrics;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two packaged daemons share the demo tenant as a two-replica StatefulSet would: replica 0 runs the simulator and
 * is told its index, replica 1 finds its index in its host name, as a pod does. Together they must probe every
 * target exactly once, and the tenant's control plane must be polled by one of them only.
 */
class ShardingIT {
    /** Fixed ports, which -Dsharding.it.port-base moves when they are taken on a shared machine. */
    private static final int PORT_BASE = Integer.getInteger("sharding.it.port-base", 38080);
    private static final int SIMULATOR_PORT = PORT_BASE + 9;
    private static final Map<String, List<String>> DEMO_GROUPS = Map.of(
            "sales-and-support", List.of("alex.wilber@contoso.com", "megan.bowen@contoso.com",
                    "lynne.robbins@contoso.com", "diego.siciliani@contoso.com", "support@contoso.com"),
            "executives", List.of("patti.fernandez@contoso.com", "isaiah.langer@contoso.com",
                    "nestor.wilke@contoso.com"));

    private static Map<String, String> replica(boolean simulator) {
        return Map.of("quarkus.profile", "demo",
                "simulator.enabled", Boolean.toString(simulator),
                "simulator.port", Integer.toString(SIMULATOR_PORT),
                "impersonation.sharding.replicas", "2");
    }

    /** "group/mailbox" of every target with a per-mailbox series on this daemon. */
    private static Set<String> probedTargets(Metrics metrics) {
        return metrics.find("impersonation_probe_last_run_timestamp_seconds", "tenant", "contoso").stream()
                .map(s -> s.labels().get("group") + "/" + s.labels().get("mailbox"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static double targetTotal(Metrics metrics) {
        // The demo probes every target over EWS and Graph; each target counts once, under EWS.
        return metrics.find("impersonation_targets", "tenant", "contoso", "probe", "ews").stream()
                .mapToDouble(Metrics.Sample::value).sum();
    }

    @Test
    void twoReplicasProbeEveryTargetOnceAndOnePollsTheControlPlane() throws Exception {
        Map<String, String> zero = new java.util.HashMap<>(replica(true));
        zero.put("impersonation.sharding.replica-index", "0");
        try (DaemonProcess a = DaemonProcess.start("shard-0", PORT_BASE, zero);
             DaemonProcess b = DaemonProcess.start("shard-1", PORT_BASE + 1, replica(false),
                     Map.of("HOSTNAME", "impersonation-probe-1"))) {
            a.awaitReady(Duration.ofSeconds(60));
            b.awaitReady(Duration.ofSeconds(60));
            List<DaemonProcess> daemons = List.of(a, b);

            Set<String> all = new TreeSet<>();
            DEMO_GROUPS.forEach((group, mailboxes) -> mailboxes.forEach(m -> all.add(group + "/" + m)));
            Set<String> union = new HashSet<>();
            int total = 0;
            for (int i = 0; i < 2; i++) {
                Metrics metrics = Metrics.scrape(daemons.get(i).baseUrl());
                Shard shard = new Shard(2, i);
                Set<String> expected = new TreeSet<>();
                DEMO_GROUPS.forEach((group, mailboxes) -> mailboxes.stream()
                        .filter(m -> shard.owns(new Target("contoso", group, m, Expectation.ALLOW)))
                        .forEach(m -> expected.add(group + "/" + m)));
                Set<String> probed = probedTargets(metrics);
                assertEquals(expected, probed, "replica " + i + " probes exactly its share");
                assertFalse(probed.isEmpty(), "in this split both replicas have targets");
                union.addAll(probed);
                total += probed.size();
                assertEquals(probed.size(), targetTotal(metrics), "replica " + i + " counts only its own targets");
                assertEquals(2.0, metrics.value("impersonation_shard_replicas").orElseThrow());
                assertEquals(i, metrics.value("impersonation_shard_index").orElseThrow());
                String log = Files.readString(daemons.get(i).log());
                assertTrue(log.contains("Sharding: replica " + i + " of 2 probes " + probed.size() + " of 8 target(s)"),
                        "startup log names the shard: " + daemons.get(i).log());
            }
            assertEquals(all, union, "together the replicas probe every demo target");
            assertEquals(all.size(), total, "and none twice");

            int owner = new Shard(2, 0).ownsTenant("contoso") ? 0 : 1;
            DaemonProcess poller = daemons.get(owner);
            DaemonProcess other = daemons.get(1 - owner);
            Instant deadline = Instant.now().plusSeconds(45);
            while (Metrics.scrape(poller.baseUrl()).value("impersonation_admin_poll_success", "tenant", "contoso",
                    "poll", "organization_config").isEmpty()) {
                assertTrue(Instant.now().isBefore(deadline), "replica " + owner + " polls the control plane of contoso");
                Thread.sleep(500);
            }
            Metrics polled = Metrics.scrape(poller.baseUrl());
            assertEquals(1.0, polled.value("impersonation_admin_poll_success", "tenant", "contoso",
                    "poll", "organization_config").orElseThrow());
            assertTrue(polled.value("impersonation_org_dehydrated", "tenant", "contoso").isPresent());
            assertTrue(polled.value("impersonation_propagation_pending", "tenant", "contoso").isPresent());
            Metrics idle = Metrics.scrape(other.baseUrl());
            for (String tenantWide : List.of("impersonation_admin_poll_success", "impersonation_org_dehydrated",
                    "impersonation_role_assignments", "impersonation_propagation_pending")) {
                assertTrue(idle.find(tenantWide, "tenant", "contoso").isEmpty(),
                        "replica " + (1 - owner) + " publishes no " + tenantWide);
            }
        }
    }

    @Test
    void aReplicaThatCannotTellItsIndexDoesNotStart() throws Exception {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DaemonProcess.start("shard-unknown", PORT_BASE + 2, replica(false), Map.of("HOSTNAME", "probe-vm")));
        assertTrue(e.getMessage().contains("exited"), e.getMessage());
        String log = Files.readString(java.nio.file.Path.of("target", "daemon-shard-unknown.log"));
        assertTrue(log.contains("impersonation.sharding.replica-index: is required with 2 replicas: the host name "
                + "'probe-vm' does not end in -<n>"), log);
        assertFalse(log.contains("Listening on"), "no HTTP listener was opened");
    }
}
