package io.impersonationprobe.deploy;

import io.impersonationprobe.target.Expectation;
import io.impersonationprobe.simulator.Simulator;
import io.impersonationprobe.simulator.SimulatorOptions;
import io.impersonationprobe.target.Shard;
import io.impersonationprobe.target.Target;
import io.impersonationprobe.testing.Await;
import io.impersonationprobe.testing.DaemonProcess;
import io.impersonationprobe.testing.Metrics;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two packaged daemons share the demo tenant as a two-replica StatefulSet would: replica 0 is told its index,
 * replica 1 finds its index in its host name, as a pod does. Together they must probe every target exactly once, and
 * the tenant's control plane must be polled by one of them only. The simulated tenant runs in this JVM, on a free
 * port, as do the daemons. A live check runs on either replica for any configured target, and replicas that are
 * each other's peers list the whole estate, marking a stopped one unreachable.
 */
class ShardingIT {
    private static final String DEMO_KEY = "demo-only-key-not-for-production";
    private static final Map<String, List<String>> DEMO_GROUPS = Map.of(
            "sales-and-support", List.of("alex.wilber@contoso.com", "megan.bowen@contoso.com",
                    "lynne.robbins@contoso.com", "diego.siciliani@contoso.com", "support@contoso.com"),
            "executives", List.of("patti.fernandez@contoso.com", "isaiah.langer@contoso.com",
                    "nestor.wilke@contoso.com"));

    /** A replica of the demo profile, probing the simulator at this port rather than one of its own. */
    private static Map<String, String> replica(int simulatorPort, int ldapPort) {
        return Map.of("quarkus.profile", "demo",
                "simulator.enabled", "false",
                "simulator.port", Integer.toString(simulatorPort), "simulator.ldap-port", Integer.toString(ldapPort),
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
        try (Simulator simulator = Simulator.start(SimulatorOptions.defaults())) {
            Map<String, String> zero = new HashMap<>(replica(simulator.port(), simulator.ldapPort()));
            zero.put("impersonation.sharding.replica-index", "0");
            try (DaemonProcess a = DaemonProcess.start("shard-0", zero);
                 DaemonProcess b = DaemonProcess.start("shard-1", replica(simulator.port(), simulator.ldapPort()),
                         Map.of("HOSTNAME", "impersonation-probe-1"))) {
                checkShares(a, b);
            }
        }
    }

    private static void checkShares(DaemonProcess a, DaemonProcess b) throws Exception {
        a.awaitReady(Duration.ofSeconds(60));
        b.awaitReady(Duration.ofSeconds(60));
        List<DaemonProcess> daemons = List.of(a, b);

        Set<String> all = new TreeSet<>();
        DEMO_GROUPS.forEach((group, mailboxes) -> mailboxes.forEach(m -> all.add(group + "/" + m)));
        Set<String> union = new HashSet<>();
        int total = 0;
        int logged = 0;
        int configured = -1;
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
            // The demo profile has other tenants beside contoso: the log counts every tenant's targets.
            Matcher named = Pattern.compile("Sharding: replica " + i + " of 2 probes (\\d+) of (\\d+) target\\(s\\)")
                    .matcher(log);
            assertTrue(named.find(), "startup log names the shard: " + daemons.get(i).log());
            assertTrue(Integer.parseInt(named.group(1)) >= probed.size(), named.group());
            logged += Integer.parseInt(named.group(1));
            configured = Integer.parseInt(named.group(2));
        }
        assertEquals(configured, logged, "the replicas' shares, as logged, add up to every configured target");
        assertEquals(all, union, "together the replicas probe every demo target");
        assertEquals(all.size(), total, "and none twice");

        // A live check is stateless: each replica answers for a target that the other one probes.
        for (int i = 0; i < 2; i++) {
            Shard otherShard = new Shard(2, 1 - i);
            String target = all.stream().filter(t -> otherShard.owns(new Target("contoso", t.substring(0,
                    t.indexOf('/')), t.substring(t.indexOf('/') + 1), Expectation.ALLOW))).findFirst().orElseThrow();
            String group = target.substring(0, target.indexOf('/'));
            String mailbox = target.substring(target.indexOf('/') + 1);
            HttpResponse<String> check = liveCheck(daemons.get(i), mailbox);
            assertEquals(200, check.statusCode(), "replica " + i + " checks " + target + " of replica " + (1 - i)
                    + ": " + check.body());
            assertTrue(check.body().startsWith("Live check of " + mailbox + " in tenant contoso (ews, expect "
                    + (group.equals("executives") ? "deny" : "allow") + " from group " + group + ")"), check.body());
        }

        int owner = new Shard(2, 0).ownsTenant("contoso") ? 0 : 1;
        DaemonProcess poller = daemons.get(owner);
        DaemonProcess other = daemons.get(1 - owner);
        Await.until(Duration.ofSeconds(45), "replica " + owner + " to poll the control plane of contoso",
                () -> scrape(poller).value("impersonation_admin_poll_success", "tenant", "contoso", "poll",
                        "organization_config").isPresent());
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

    @Test
    void peeredReplicasListTheWholeEstateAndMarkAShardThatStopped(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("peer-api-key"), DEMO_KEY + "\n");
        int[] ports = {freePort(), freePort()};
        String peers = "http://127.0.0.1:" + ports[0] + ",http://127.0.0.1:" + ports[1];
        try (Simulator simulator = Simulator.start(SimulatorOptions.defaults())) {
            List<DaemonProcess> daemons = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    Map<String, String> properties = new HashMap<>(replica(simulator.port(), simulator.ldapPort()));
                    properties.put("impersonation.sharding.replica-index", Integer.toString(i));
                    properties.put("quarkus.http.port", Integer.toString(ports[i]));
                    properties.put("impersonation.sharding.peers", peers);
                    properties.put("impersonation.sharding.peer-timeout", "2s");
                    properties.put("impersonation.sharding.peer-api-key-file", key.toString());
                    daemons.add(DaemonProcess.start("peer-" + i, properties));
                }
                for (DaemonProcess daemon : daemons) {
                    daemon.awaitReady(Duration.ofSeconds(60));
                }
                Set<String> all = new TreeSet<>();
                DEMO_GROUPS.forEach((group, mailboxes) -> mailboxes.forEach(m -> all.add(group + "/" + m)));
                for (int i = 0; i < 2; i++) {
                    JsonNode merged = targets(daemons.get(i), "");
                    assertEquals(all, ids(merged), "replica " + i + " lists the whole estate: " + merged);
                    assertEquals(2 * all.size(), merged.path("total").asInt(), "every target over EWS and Graph");
                    for (JsonNode shard : merged.path("shards")) {
                        assertEquals("answered", shard.path("status").asText(), merged.toString());
                        assertEquals(2 * owned(shard.path("index").asInt(), all).size(), shard.path("targets").asInt());
                    }
                    assertEquals(2, merged.path("shards").size());
                    JsonNode local = targets(daemons.get(i), "&scope=local");
                    assertEquals(owned(i, all), ids(local), "scope=local is the replica's own share");
                    assertTrue(local.path("shards").isMissingNode(), local.toString());
                }

                daemons.get(1).close();
                long started = System.nanoTime();
                JsonNode partial = targets(daemons.get(0), "");
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                System.out.printf("merged list with replica 1 stopped answered in %d ms%n", took.toMillis());
                assertTrue(took.compareTo(Duration.ofSeconds(2).plusMillis(1500)) < 0,
                        "the stopped shard costs at most the peer timeout: " + took);
                assertEquals(owned(0, all), ids(partial), "replica 0 still lists its own targets: " + partial);
                JsonNode stopped = partial.path("shards").get(1);
                assertEquals(1, stopped.path("index").asInt());
                assertEquals("unreachable", stopped.path("status").asText(), partial.toString());
                assertTrue(stopped.path("reason").asText().startsWith("not reached"), partial.toString());
                assertEquals("answered", partial.path("shards").get(0).path("status").asText());

                HttpResponse<String> page = get(daemons.get(0), "/");
                assertEquals(200, page.statusCode());
                assertTrue(page.body().contains("id=\"unreachable-shards\"")
                        && page.body().contains("replica 1 did not answer (not reached"), page.body());
                for (int i = 0; i < 2; i++) {
                    assertFalse(Files.readString(daemons.get(i).log()).contains(DEMO_KEY), "no log holds the peer key");
                }
            } finally {
                daemons.forEach(DaemonProcess::close);
            }
        }
    }

    /** "group/mailbox" of the demo targets that a replica of two owns. */
    private static Set<String> owned(int index, Set<String> all) {
        Shard shard = new Shard(2, index);
        return all.stream().filter(t -> shard.owns(new Target("contoso", t.substring(0, t.indexOf('/')),
                t.substring(t.indexOf('/') + 1), Expectation.ALLOW))).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> ids(JsonNode page) {
        Set<String> ids = new TreeSet<>();
        page.path("items").forEach(item -> ids.add(item.path("id").asText()));
        return ids;
    }

    private static JsonNode targets(DaemonProcess daemon, String query) throws Exception {
        // The demo profile has other tenants too; this test follows contoso's targets.
        HttpResponse<String> answer = get(daemon, "/api/v1/targets?tenant=contoso&size=500" + query);
        assertEquals(200, answer.statusCode(), answer.body());
        return new ObjectMapper().readTree(answer.body());
    }

    private static HttpResponse<String> get(DaemonProcess daemon, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(daemon.baseUrl() + path))
                .header("Authorization", "Bearer " + DEMO_KEY).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** POST /api/v1/checks with the demo profile's key, as text. */
    private static HttpResponse<String> liveCheck(DaemonProcess daemon, String mailbox) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(daemon.baseUrl() + "/api/v1/checks"))
                .header("Authorization", "Bearer " + DEMO_KEY)
                .header("Content-Type", "application/json").header("Accept", "text/plain")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"tenant\":\"contoso\",\"mailbox\":\"" + mailbox + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Metrics scrape(DaemonProcess daemon) {
        try {
            return Metrics.scrape(daemon.baseUrl());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aReplicaThatCannotTellItsIndexDoesNotStart() throws Exception {
        // It stops before probing anything, so no simulator is needed: its port 0 reaches nothing.
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DaemonProcess.start("shard-unknown", replica(0, 0), Map.of("HOSTNAME", "probe-vm")));
        assertTrue(e.getMessage().contains("exited"), e.getMessage());
        String log = Files.readString(Path.of("target", "daemon-shard-unknown.log"));
        assertTrue(log.contains("impersonation.sharding.replica-index: is required with 2 replicas: the host name "
                + "'probe-vm' does not end in -<n>"), log);
        assertFalse(log.contains("Listening on"), "no HTTP listener was opened");
    }
}
