package io.impersonationprobe.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.testing.Await;
import io.impersonationprobe.testing.DaemonProcess;
import io.impersonationprobe.testing.HostileServer;
import io.impersonationprobe.testing.Metrics;
import io.impersonationprobe.testing.SimulatorProcess;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged daemon, with the shipped heap settings, against a server that gives every hostile answer known to
 * have knocked it over or leaked its credentials, all at once and for at least ten cycles, beside a healthy tenant
 * (the simulator in its own process). The daemon stays alive, every hostile probe ends as an error within its
 * deadline and a second, the healthy tenant keeps its cadence, and nothing hostile is ever reported as access: the
 * server that a redirect points to, and that the token tenants' EWS URL names, answers NoError.
 */
class HostileServersIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final String API_KEY = "demo-only-key-not-for-production";
    static final Duration DEADLINE = Duration.ofSeconds(5);
    static final Duration HOSTILE_INTERVAL = Duration.ofSeconds(6);
    static final Duration HEALTHY_INTERVAL = Duration.ofSeconds(10);
    static final int CYCLES = 10;
    static final List<String> MAILBOXES = List.of("adele.vance@contoso.com", "grady.archie@contoso.com",
            "henrietta.mueller@contoso.com", "johanna.lorenz@contoso.com");
    static final String EWS = "/EWS/Exchange.asmx";
    static final String TOKEN_JSON = "application/json; charset=utf-8";

    static String token(String value, String expiresIn) {
        return "{\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + ",\"access_token\":\"" + value + "\"}";
    }

    @Test
    void theDaemonSurvivesEveryHostileAnswerAtOnce() throws Exception {
        try (HostileServer elsewhere = new HostileServer().on("ews",
                     HostileServer.plain(200, "text/xml; charset=utf-8", HostileServer.GET_FOLDER_NO_ERROR));
             HostileServer hostile = new HostileServer();
             SimulatorProcess simulator = SimulatorProcess.start("hostile-simulator", Map.of())) {
            hostile.on("valid", HostileServer.plain(200, TOKEN_JSON, token("eyJ0eXAiOiJKV1QifQ.e30.c2ln", "3599")));
            // EWS answers, with a valid token; the tenant is named after the answer.
            Map<String, HostileServer.Answer> ews = new LinkedHashMap<>();
            ews.put("endless-status-line", HostileServer.endlessStatusLine());
            ews.put("endless-header-lines", HostileServer.endlessHeaderLines());
            ews.put("endless-header-line", HostileServer.endlessHeaderLine());
            ews.put("endless-body", HostileServer.endlessChunkedBody("text/xml; charset=utf-8", "<?xml version=\"1.0\"?>"));
            ews.put("gzip-text", HostileServer.gzipBomb('A'));
            ews.put("gzip-whitespace", HostileServer.gzipBomb(' '));
            ews.put("redirect-303", HostileServer.redirect(303, elsewhere.url("ews", EWS)));
            // Token endpoint answers; these tenants' EWS URL is the NoError server, so an accepted token would be access.
            Map<String, HostileServer.Answer> tokens = new LinkedHashMap<>();
            tokens.put("token-endless-body", HostileServer.endlessChunkedBody(TOKEN_JSON, "{\"access_token\":\""));
            tokens.put("token-slow", HostileServer.slow(3000, HostileServer.plain(503, TOKEN_JSON,
                    "{\"error\":\"temporarily_unavailable\",\"error_description\":\"AADSTS50000: slow.\"}")));
            tokens.put("token-invalid-json", HostileServer.plain(200, TOKEN_JSON, "{\"token_type\":\"Bearer\",\"access_tok"));
            tokens.put("token-500", HostileServer.plain(500, TOKEN_JSON, "{\"error\":\"temporarily_unavailable\","
                    + "\"error_description\":\"AADSTS50000: There was an error issuing a token.\"}"));
            tokens.put("token-expires-zero", HostileServer.plain(200, TOKEN_JSON, token("eyJ.e30.emVybw", "0")));
            tokens.put("token-expired", HostileServer.plain(200, TOKEN_JSON, token("eyJ.e30.b2xk", "-3600")));
            tokens.put("token-5mb", HostileServer.plain(200, TOKEN_JSON, token("A".repeat(5 << 20), "3599")));
            tokens.forEach(hostile::on);
            ews.forEach(hostile::on);

            Map<String, String> properties = new HashMap<>(Map.of("quarkus.profile", "demo",
                    "simulator.enabled", "false", "simulator.port", String.valueOf(simulator.port()),
                    "simulator.ldap-port", String.valueOf(simulator.ldapPort()),
                    "impersonation.probe.timeout", DEADLINE.toSeconds() + "s"));
            for (String answer : ews.keySet()) {
                tenant(properties, answer, hostile.url(answer, EWS), "valid", hostile.origin());
            }
            for (String answer : tokens.keySet()) {
                tenant(properties, answer, elsewhere.url("ews", EWS), answer, hostile.origin());
            }
            List<String> hostileTenants = new ArrayList<>(ews.keySet());
            hostileTenants.addAll(tokens.keySet());

            try (DaemonProcess daemon = DaemonProcess.start("hostile", properties, Map.of(),
                    Path.of(System.getProperty("daemon.jar", "target/quarkus-app/quarkus-run.jar")), null,
                    List.of("-Xmx384m", "-XX:+ExitOnOutOfMemoryError"))) {
                AtomicLong heapPeak = new AtomicLong();
                AtomicLong liveDataPeak = new AtomicLong();
                NavigableSet<Double> healthyRuns = new ConcurrentSkipListSet<>();
                ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
                sampler.scheduleAtFixedRate(() -> sample(daemon, heapPeak, liveDataPeak, healthyRuns), 0, 500, TimeUnit.MILLISECONDS);
                Instant started = Instant.now();
                try {
                    Await.until(Duration.ofMinutes(4), CYCLES + " cycles of every hostile group", () -> {
                        assertTrue(daemon.isAlive(), "the daemon is alive; see " + daemon.log());
                        return hostileTenants.stream().allMatch(t -> completedCycles(daemon, t) >= CYCLES);
                    });
                } finally {
                    sampler.shutdownNow();
                }
                Duration ran = Duration.between(started, Instant.now());
                assertTrue(daemon.isAlive(), "the daemon is alive; see " + daemon.log());
                assertEquals(200, HTTP.send(HttpRequest.newBuilder(URI.create(daemon.baseUrl() + "/q/health/live"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
                assertFalse(Files.readString(daemon.log()).contains("OutOfMemoryError"), "no OutOfMemoryError");

                System.out.printf("%nHostile answers, %d cycles each at probe timeout %d s, -Xmx384m; ran %d s%n",
                        CYCLES, DEADLINE.toSeconds(), ran.toSeconds());
                System.out.printf("%-22s %-34s %6s %8s %8s%n", "answer", "outcomes", "probes", "max ms", "deadline");
                for (String tenant : hostileTenants) {
                    TreeSet<String> outcomes = new TreeSet<>();
                    long longest = 0;
                    int results = 0;
                    String detail = "";
                    for (String mailbox : MAILBOXES) {
                        for (JsonNode result : api(daemon, "/api/v1/targets/" + tenant + "/" + mailbox).path("history")) {
                            results++;
                            outcomes.add(result.path("outcome").asText());
                            longest = Math.max(longest, result.path("durationMillis").asLong());
                            detail = result.path("detail").asText();
                            assertEquals("error", result.path("verdict").asText(), tenant + ": " + result);
                            assertTrue(result.path("durationMillis").asLong() <= DEADLINE.plusSeconds(1).toMillis(),
                                    tenant + " within the deadline and a second: " + result);
                        }
                    }
                    System.out.printf("%-22s %-34s %6d %8d %8d  %s%n", tenant, String.join(",", outcomes), results,
                            longest, DEADLINE.toMillis(), detail);
                    assertTrue(results >= CYCLES, tenant + ": " + results + " results");
                }
                assertEquals(0, elsewhere.requests("ews"), "no redirect was followed and no hostile token was sent");
                System.out.printf("heap peak (jvm_memory_used_bytes, area=heap, sampled every 0.5 s): %.1f MB; "
                        + "live data after GC peak (jvm_gc_live_data_size_bytes): %.1f MB%n",
                        heapPeak.get() / 1e6, liveDataPeak.get() / 1e6);

                List<Double> times = new ArrayList<>(healthyRuns);
                double longestGap = 0;
                for (int i = 1; i < times.size(); i++) {
                    longestGap = Math.max(longestGap, times.get(i) - times.get(i - 1));
                }
                System.out.printf("healthy tenant: %d runs of alex.wilber seen, longest gap %.1f s (interval %d s)%n",
                        times.size(), longestGap, HEALTHY_INTERVAL.toSeconds());
                assertTrue(times.size() >= ran.toSeconds() / HEALTHY_INTERVAL.toSeconds() - 1, "healthy cadence: " + times);
                assertTrue(longestGap <= HEALTHY_INTERVAL.toSeconds() * 1.1 + 3, "longest gap " + longestGap + " s");
                assertEquals(1.0, Metrics.scrape(daemon.baseUrl()).value("impersonation_probe_success", "tenant", "contoso",
                        "mailbox", "alex.wilber@contoso.com", "probe", "ews").orElse(0), "the healthy tenant is still ok");
            }
        }
    }

    private static void tenant(Map<String, String> properties, String name, String ewsUrl, String directory,
                               String tokenOrigin) {
        String t = "impersonation.tenants." + name + ".";
        properties.put(t + "kind", "exchange-online");
        properties.put(t + "ews-url", ewsUrl);
        properties.put(t + "auth.directory", directory);
        properties.put(t + "auth.client-id", "6731de76-14a6-49ae-97bc-6eba6914391e");
        properties.put(t + "auth.client-secret", "hostile-test-secret");
        properties.put(t + "auth.authority-url-override", tokenOrigin);
        properties.put(t + "control-plane.enabled", "false");
        String g = "impersonation.groups." + name + ".";
        properties.put(g + "tenant", name);
        properties.put(g + "expect", "allow");
        properties.put(g + "interval", HOSTILE_INTERVAL.toSeconds() + "s");
        properties.put(g + "mailboxes", String.join(",", MAILBOXES));
        properties.put(g + "probes", "ews");
    }

    private static void sample(DaemonProcess daemon, AtomicLong heapPeak, AtomicLong liveDataPeak,
                               NavigableSet<Double> healthyRuns) {
        try {
            Metrics metrics = Metrics.scrape(daemon.baseUrl());
            long heap = (long) metrics.find("jvm_memory_used_bytes", "area", "heap").stream()
                    .mapToDouble(Metrics.Sample::value).sum();
            heapPeak.accumulateAndGet(heap, Math::max);
            metrics.value("jvm_gc_live_data_size_bytes")
                    .ifPresent(live -> liveDataPeak.accumulateAndGet((long) live, Math::max));
            metrics.value("impersonation_probe_last_run_timestamp_seconds", "tenant", "contoso",
                    "mailbox", "alex.wilber@contoso.com", "probe", "ews")
                    .ifPresent(healthyRuns::add);
        } catch (Exception | AssertionError e) {
            // A scrape that fails is a gap in the samples, not a verdict; liveness is asserted on its own.
        }
    }

    private static int completedCycles(DaemonProcess daemon, String tenant) {
        try {
            for (JsonNode group : api(daemon, "/api/v1/tenants/" + tenant).path("groups")) {
                return group.path("completedCycles").asInt();
            }
            return 0;
        } catch (Exception e) {
            return 0;
        }
    }

    private static JsonNode api(DaemonProcess daemon, String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(daemon.baseUrl() + path))
                .header("X-API-Key", API_KEY).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return JSON.readTree(response.body());
    }

}
