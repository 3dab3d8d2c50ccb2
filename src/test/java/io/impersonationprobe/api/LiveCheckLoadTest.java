package io.impersonationprobe.api;

import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.control.ControlPlanePoller;
import io.impersonationprobe.probe.ProbeScheduler;
import io.impersonationprobe.simulator.Faults;
import io.impersonationprobe.simulator.Simulator;
import io.impersonationprobe.testing.Daemon;
import io.impersonationprobe.testing.FreshDemo;
import io.impersonationprobe.testing.SimulatorResource;
import io.impersonationprobe.testing.SimulatorResource.InjectSimulator;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Load on loopback, bounded in time: 50 concurrent callers send live checks while the scheduled probes run against a
 * simulator that answers in 200 ms. Scheduled cycles must keep their cadence, checks beyond the limits must get 429,
 * and nothing may fail. Prints its figures; asserts only what must hold on any machine.
 */
@QuarkusTest
@WithTestResource(value = SimulatorResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class LiveCheckLoadTest {
    static final int CALLERS = 50;
    static final Duration LOAD = Duration.ofSeconds(21);
    static final Duration INTERVAL = Duration.ofSeconds(5);

    @InjectSimulator
    Simulator simulator;

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

    @Test
    void burstOfLiveChecksNeverDelaysScheduledCycles() throws Exception {
        String daemon = Daemon.url();
        simulator.tenant().setFaults(Faults.none().withEwsLatency(200));
        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(8)).build();
        Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
        List<Long> checkMillis = Collections.synchronizedList(new ArrayList<>());
        List<Long> refusalMillis = Collections.synchronizedList(new ArrayList<>());
        List<Instant> cycleEnds = Collections.synchronizedList(new ArrayList<>());

        ExecutorService callers = Executors.newFixedThreadPool(CALLERS + 1);
        Instant end = Instant.now().plus(LOAD);
        // Watch the scheduled group's cycles complete while the load runs.
        callers.submit(() -> {
            int seen = scheduler.progress().get("sales-and-support").completedCycles();
            while (Instant.now().isBefore(end)) {
                int now = scheduler.progress().get("sales-and-support").completedCycles();
                if (now > seen) {
                    cycleEnds.add(Instant.now());
                    seen = now;
                }
                Thread.sleep(20);
            }
            return null;
        });
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(CALLERS);
        for (int i = 0; i < CALLERS; i++) {
            callers.submit(() -> {
                try {
                    start.await();
                    while (Instant.now().isBefore(end)) {
                        Instant sent = Instant.now();
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(daemon + "/api/v1/checks"))
                                .header("Authorization", "Bearer test-load-key").header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(30))
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"tenant\":\"contoso\",\"mailbox\":\"alex.wilber@contoso.com\"}")).build(),
                                HttpResponse.BodyHandlers.ofString());
                        long millis = Duration.between(sent, Instant.now()).toMillis();
                        String kind = response.statusCode() == 429
                                ? "429 " + (response.body().contains("rate-limited") ? "rate-limited" : "busy")
                                : String.valueOf(response.statusCode());
                        answers.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
                        (response.statusCode() == 200 ? checkMillis : refusalMillis).add(millis);
                        Thread.sleep(100);
                    }
                } catch (Exception e) {
                    answers.computeIfAbsent("client error " + e.getClass().getSimpleName(), k -> new AtomicInteger())
                            .incrementAndGet();
                } finally {
                    done.countDown();
                }
                return null;
            });
        }
        start.countDown();
        assertTrue(done.await(LOAD.toSeconds() + 60, TimeUnit.SECONDS), "callers finished");
        callers.shutdown();
        assertTrue(callers.awaitTermination(10, TimeUnit.SECONDS));

        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < cycleEnds.size(); i++) {
            gaps.add(Duration.between(cycleEnds.get(i - 1), cycleEnds.get(i)).toMillis());
        }
        int total = answers.values().stream().mapToInt(AtomicInteger::get).sum();
        System.out.printf("LOAD %d callers for %d s: %d requests, answers %s%n", CALLERS, LOAD.toSeconds(), total,
                new java.util.TreeMap<>(answers));
        System.out.printf("LOAD live checks: p50 %d ms, max %d ms; refusals: p50 %d ms, p99 %d ms%n",
                percentile(checkMillis, 50), percentile(checkMillis, 100), percentile(refusalMillis, 50),
                percentile(refusalMillis, 99));
        System.out.printf("LOAD scheduled cycles of sales-and-support (every %d s): %d completed, gaps %s ms%n",
                INTERVAL.toSeconds(), cycleEnds.size(), gaps);

        assertEquals(java.util.Set.of("200", "429 busy", "429 rate-limited"), answers.keySet(),
                "only checks and 429s, never an error: " + answers);
        assertTrue(answers.get("200").get() <= 10, "the caller's budget is 10 a minute: " + answers);
        assertTrue(answers.get("429 busy").get() > 0, "the bulkhead refused the burst beyond 4 in flight");
        assertTrue(cycleEnds.size() >= LOAD.toSeconds() / INTERVAL.toSeconds() - 1,
                "scheduled cycles kept running: " + cycleEnds.size());
        for (long gap : gaps) {
            assertTrue(gap < INTERVAL.toMillis() * 3 / 2, "a cycle came late under load: gaps " + gaps);
        }
        // Still alive and answering.
        HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create(daemon + "/q/health/live")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, live.statusCode(), live.body());
    }

    private static long percentile(List<Long> values, int p) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1 < 0 ? 0
                : (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
