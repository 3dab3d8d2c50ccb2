package io.impersonationprobe.probe;

import io.impersonationprobe.simulator.Simulator;
import io.impersonationprobe.testing.Await;
import io.impersonationprobe.testing.Metrics;
import io.impersonationprobe.testing.SimulatorResource;
import io.impersonationprobe.testing.SimulatorResource.InjectSimulator;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards what makes the daemon scale, without timing anything: probes reuse the tenant's connections (at most
 * C + 2 opened per cycle), one token serves many cycles, and a large estate does not flood Prometheus (600 targets
 * over the limit of 500: no series per mailbox for {@code auto} groups, group counts instead; a canary group that
 * asks for them keeps them).
 */
@QuarkusTest
@TestProfile(ScaleGuardTest.LargeEstate.class)
@WithTestResource(value = SimulatorResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ScaleGuardTest {
    static final int BULK = 600;
    static final int CONCURRENCY = 8;

    public static class LargeEstate implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path file = Files.createTempFile("bulk-mailboxes", ".txt");
                file.toFile().deleteOnExit();
                Files.write(file, IntStream.range(0, BULK).mapToObj(i -> "bulk" + i + "@contoso.com").toList());
                return Map.of(
                        "impersonation.groups.bulk.tenant", "contoso",
                        "impersonation.groups.bulk.interval", "5s",
                        "impersonation.groups.bulk.mailboxes-file", file.toString(),
                        "impersonation.groups.sales-and-support.per-mailbox-series", "true",
                        "impersonation.metrics.per-mailbox-limit", "500",
                        "impersonation.tenants.contoso.concurrency", String.valueOf(CONCURRENCY));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @InjectSimulator
    Simulator simulator;

    @Inject
    ProbeScheduler scheduler;

    @Test
    void connectionsAreReusedOneTokenServesManyCyclesAndSeriesStayBounded() throws Exception {
        awaitCycles("bulk", 1);
        Map<String, Long> before = simulatorStats();
        int cyclesBefore = scheduler.progress().get("bulk").completedCycles();
        awaitCycles("bulk", cyclesBefore + 2);
        Map<String, Long> after = simulatorStats();
        int cycles = scheduler.progress().get("bulk").completedCycles() - cyclesBefore;

        long opened = after.get("connectionsAccepted") - before.get("connectionsAccepted");
        assertTrue(opened <= (long) cycles * (CONCURRENCY + 2),
                opened + " connections opened over " + cycles + " cycles of " + BULK + " probes (and the demo groups'); "
                        + "at most C + 2 = " + (CONCURRENCY + 2) + " per cycle");
        assertEquals(1L, after.get("tokenRequests"), "one token for every probe and poll since startup");

        Metrics metrics = Metrics.parse(RestAssured.get("/q/metrics").asString());
        assertEquals(1.0, metrics.value("impersonation_token_requests_total", "tenant", "contoso", "result", "success")
                .orElseThrow());
        for (String name : List.of("impersonation_probe_success", "impersonation_probe_access_granted",
                "impersonation_probe_last_run_timestamp_seconds")) {
            assertEquals(0, metrics.find(name, "group", "bulk").size(), name + ": none per mailbox for 600 targets");
            assertEquals(0, metrics.find(name, "group", "executives").size(), name + ": auto groups follow the total");
            assertEquals(5, metrics.find(name, "group", "sales-and-support").size(), name + ": the canary group asked");
        }
        double counted = 0;
        for (String state : List.of("ok", "failing", "unknown")) {
            counted += metrics.value("impersonation_targets", "group", "bulk", "state", state).orElseThrow();
        }
        assertEquals(BULK, counted, "the group counts carry every target");
        assertEquals(0.0, metrics.value("impersonation_targets", "group", "bulk", "state", "unknown").orElseThrow());
        assertTrue(metrics.value("impersonation_probes_total", "group", "bulk", "outcome", "mailbox_not_found")
                .orElseThrow() >= (double) BULK * 3, "group-level counters go on");
    }

    private void awaitCycles(String group, int cycles) {
        Await.until(Duration.ofSeconds(60), "group " + group + " to reach " + cycles + " cycles",
                () -> scheduler.progress().get(group).completedCycles() >= cycles);
    }

    private Map<String, Long> simulatorStats() {
        return simulator.tenant().stats().counters();
    }
}
