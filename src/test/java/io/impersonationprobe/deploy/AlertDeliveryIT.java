package io.impersonationprobe.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.impersonationprobe.simulator.Simulator;
import io.impersonationprobe.simulator.SimulatorOptions;
import io.impersonationprobe.testing.AlertmanagerServer;
import io.impersonationprobe.testing.DaemonProcess;
import io.impersonationprobe.testing.Metrics;
import io.impersonationprobe.testing.PrometheusServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Alerts delivered end to end: the packaged daemon (demo tenant) scraped by a real Prometheus that evaluates the
 * shipped rules and sends to a real Alertmanager with the shipped routing and inhibitions, whose receivers point at a
 * webhook receiver in this test. Access is broken and restored through the simulator's control API; the test asserts
 * which alerts arrive (labels, annotations, runbook URL, receiver), that they resolve, and that an organisation-wide
 * EWS block inhibits the per-target alert it explains. It prints the detection and resolve latency in its parts.
 *
 * <p>Shortened in this test's copies, so that it runs in a minute or two (and said so in its printout): the probe
 * interval (5 s, the shortest allowed), the control-plane poll (5 s), scrape and rule evaluation (1 s), every rule's
 * {@code for} (10 s; the EWS organisation alerts 1 s, see {@link #rules()}), Alertmanager's group_wait (1 s) and
 * group_interval (2 s). The operations page computes what the shipped values give.
 */
class AlertDeliveryIT {
    static final Path WORK = Path.of("target", "alert-delivery-it");
    static final ObjectMapper JSON = new ObjectMapper();
    static final String APP_ID = "6731de76-14a6-49ae-97bc-6eba6914391e";
    static final String ARCHIVER_GRANT = "EWS access for the mail archiver";
    static final String GROUP = "sales-and-support";
    static final String BROKEN = "ImpersonationProbeAccessBroken";
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);
    static final Duration FOR = Duration.ofSeconds(10);
    /** Shorter than the access alerts' own, so that the block is known to Alertmanager before what it explains. */
    static final Duration EWS_ORG_FOR = Duration.ofSeconds(1);
    static final String GROUP_WAIT = "1s";
    static final String GROUP_INTERVAL = "2s";
    /** The bound of one phase (break or restore); each normally takes 10 to 25 s. */
    static final Duration PHASE = Duration.ofSeconds(90);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void brokenAccessIsDeliveredToTheOnCallReceiverAndResolves() throws Exception {
        PrometheusServer.require();
        AlertmanagerServer.require();
        Files.createDirectories(WORK);
        try (Simulator simulator = Simulator.start(SimulatorOptions.defaults());
             WebhookReceiver receiver = WebhookReceiver.start();
             AlertmanagerServer alertmanager = AlertmanagerServer.start(WORK.resolve("alertmanager"),
                     alertmanagerConfig(receiver));
             DaemonProcess daemon = DaemonProcess.start("alert-delivery", daemonProperties(simulator.port(), simulator.ldapPort()));
             PrometheusServer prometheus = PrometheusServer.start(WORK.resolve("prometheus"),
                     prometheusConfig(daemon, alertmanager))) {
            System.out.printf("AlertDeliveryIT, shortened in the test's copies: probe interval %ss, control-plane poll "
                            + "5s, scrape and evaluation 1s, every rule's for %ss (EWS organisation alerts %ss), "
                            + "group_wait %s, group_interval %s%n", PROBE_INTERVAL.toSeconds(), FOR.toSeconds(),
                    EWS_ORG_FOR.toSeconds(), GROUP_WAIT, GROUP_INTERVAL);
            String ratio = "sum(impersonation_targets{group=\"" + GROUP + "\",probe=\"ews\",state=\"ok\"}) / "
                    + "sum(impersonation_targets{group=\"" + GROUP + "\",probe=\"ews\",state=~\"ok|failing\"})";
            Predicate<JsonNode> brokenEws = labels(BROKEN, "tenant", "contoso", "group", GROUP, "probe", "ews");

            // The demo as it starts: every allow target reachable over EWS, and the executives' scope leak (no for)
            // delivered at once to the on-call receiver.
            new Timeline("start", Duration.ofSeconds(120))
                    .stage("every EWS target of " + GROUP + " ok in Prometheus",
                            () -> hasResult(prometheus, ratio + " == 1"))
                    .stage("the scope leak notified", () -> receiver.firing(
                            labels("ImpersonationProbeScopeLeak", "group", "executives")).isPresent())
                    .run();
            assertDelivered(receiver.firing(labels("ImpersonationProbeScopeLeak", "group", "executives")).orElseThrow(),
                    "ImpersonationProbeScopeLeak", "critical", "oncall-page");

            // Break: the application's only EWS grant for the group removed.
            Instant broken = Instant.now();
            simulator(simulator, "DELETE", "/control/role-assignments/"
                    + URLEncoder.encode(ARCHIVER_GRANT, StandardCharsets.UTF_8).replace("+", "%20"), null);
            Timeline detection = new Timeline("detection (grant removed -> on-call notified)", PHASE)
                    .stage("probe interval: the daemon's results under 75 %", () -> daemonRatio(daemon) < 0.75)
                    .stage("scrape: Prometheus has them", () -> hasResult(prometheus, ratio + " < 0.75"))
                    .stage("rule evaluation: " + BROKEN + " pending", () -> alertState(prometheus, brokenEws) != null)
                    .stage("for (" + FOR.toSeconds() + "s): firing", () -> "firing".equals(alertState(prometheus, brokenEws)))
                    .stage("group wait (" + GROUP_WAIT + ") and delivery: notified",
                            () -> receiver.firing(brokenEws, broken).isPresent());
            detection.run();
            JsonNode alert = receiver.firing(brokenEws, broken).orElseThrow();
            assertDelivered(alert, BROKEN, "critical", "oncall-page");
            assertTrue(alert.path("annotations").path("description").asText().contains("allow group " + GROUP),
                    "the description names the group: " + alert);

            // Restore: the grant again (the simulator applies it at once).
            Instant restored = Instant.now();
            simulator(simulator, "POST", "/control/role-assignments", "{\"name\":\"" + ARCHIVER_GRANT + "\",\"role\":"
                    + "\"Application EWS.AccessAsApp\",\"app\":\"" + APP_ID + "\",\"scope\":\"Sales and Support\"}");
            new Timeline("resolve (grant restored -> resolved notified)", PHASE)
                    .stage("probe interval: the daemon's results at 75 % or more", () -> daemonRatio(daemon) >= 0.75)
                    .stage("scrape: Prometheus has them", () -> hasResult(prometheus, ratio + " >= 0.75"))
                    .stage("rule evaluation: " + BROKEN + " inactive", () -> alertState(prometheus, brokenEws) == null)
                    .stage("group interval (" + GROUP_INTERVAL + ") and delivery: resolved notified",
                            () -> receiver.resolved(brokenEws, restored).isPresent())
                    .run();
            assertDelivered(receiver.resolved(brokenEws, restored).orElseThrow(), BROKEN, "critical", "oncall-page");

            // EWS switched off for the organisation: every EWS target fails, ImpersonationProbeEwsDisabled pages, and
            // the group's access alert over EWS is inhibited instead of paging a second time.
            Instant blocked = Instant.now();
            simulator(simulator, "PUT", "/control/org", "{\"ewsEnabled\":false}");
            Predicate<JsonNode> ewsDisabled = labels("ImpersonationProbeEwsDisabled", "tenant", "contoso");
            // Alerts that started before the block (the resolved one above) do not count.
            Predicate<JsonNode> brokenEwsAgain = brokenEws.and(a -> startedAfter(a, blocked));
            new Timeline("EWS switched off -> one page, the access alert inhibited", PHASE)
                    .stage("ImpersonationProbeEwsDisabled notified", () -> receiver.firing(ewsDisabled, blocked).isPresent())
                    .stage(BROKEN + " firing in Prometheus", () -> "firing".equals(alertState(prometheus, brokenEwsAgain)))
                    .stage(BROKEN + " suppressed in Alertmanager by the EWS block",
                            () -> inhibited(alertmanager, brokenEwsAgain))
                    .run();
            assertDelivered(receiver.firing(ewsDisabled, blocked).orElseThrow(), "ImpersonationProbeEwsDisabled",
                    "critical", "oncall-page");
            // A flush of the access alert's group would have come within group_wait; none may carry it.
            Instant inhibitedSince = Instant.now();
            awaitQuiet(Duration.ofSeconds(3), inhibitedSince);
            assertEquals(Optional.empty(), receiver.firing(brokenEws, blocked), "the inhibited access alert notified");
            simulator(simulator, "PUT", "/control/org", "{\"ewsEnabled\":null}");
        }
    }

    // ---------------------------------------------------------------------------------------------- the set-up

    private static Map<String, String> daemonProperties(int simulatorPort, int ldapPort) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("quarkus.profile", "demo");
        properties.put("simulator.enabled", "false");
        properties.put("simulator.port", String.valueOf(simulatorPort));
        properties.put("simulator.ldap-port", String.valueOf(ldapPort));
        properties.put("impersonation.groups.sales-and-support.interval", PROBE_INTERVAL.toSeconds() + "s");
        properties.put("impersonation.groups.executives.interval", PROBE_INTERVAL.toSeconds() + "s");
        properties.put("impersonation.tenants.contoso.control-plane.interval", "5s");
        return properties;
    }

    /** The shipped prometheus.yml, scraping and evaluating every second, with this test's rules and Alertmanager. */
    private static String prometheusConfig(DaemonProcess daemon, AlertmanagerServer alertmanager) throws IOException {
        Path rules = WORK.resolve("impersonation-probe.rules.yml");
        Files.writeString(rules, PrometheusRulesTest.YAML.writeValueAsString(rules()));
        ObjectNode config = (ObjectNode) PrometheusRulesTest.YAML.readTree(PrometheusRulesTest.PROMETHEUS_CONFIG.toFile());
        ObjectNode global = (ObjectNode) config.path("global");
        global.put("scrape_interval", "1s");
        global.put("evaluation_interval", "1s");
        config.putArray("rule_files").add(rules.toAbsolutePath().toString());
        ObjectNode job = (ObjectNode) config.path("scrape_configs").get(0);
        job.put("scrape_interval", "1s");
        ((ObjectNode) job.path("static_configs").get(0)).putArray("targets").add(URI.create(daemon.baseUrl()).getAuthority());
        config.putObject("alerting").putArray("alertmanagers").addObject().putArray("static_configs").addObject()
                .putArray("targets").add(alertmanager.authority());
        return PrometheusRulesTest.YAML.writeValueAsString(config);
    }

    /**
     * The shipped rules with every {@code for} at 10 s. The EWS organisation alerts get 1 s: an inhibition holds only
     * while its source is firing in Alertmanager when the target's group is flushed, and with equal {@code for}s the
     * two race (the operations page says what this means with the shipped values).
     */
    static JsonNode rules() throws IOException {
        JsonNode rules = PrometheusRulesTest.YAML.readTree(PrometheusRulesTest.RULES.toFile());
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.has("for")) {
                    boolean ewsOrg = rule.path("alert").asText().startsWith("ImpersonationProbeEws");
                    ((ObjectNode) rule).put("for", (ewsOrg ? EWS_ORG_FOR : FOR).toSeconds() + "s");
                }
            }
        }
        return rules;
    }

    /** The shipped routes and inhibitions; the receivers' webhooks point at this test, and the group timers short. */
    private static String alertmanagerConfig(WebhookReceiver receiver) throws IOException {
        ObjectNode config = (ObjectNode) PrometheusRulesTest.YAML.readTree(AlertmanagerConfigTest.CONFIG.toFile());
        ObjectNode route = (ObjectNode) config.path("route");
        route.put("group_wait", GROUP_WAIT);
        route.put("group_interval", GROUP_INTERVAL);
        int webhooks = 0;
        for (JsonNode r : config.path("receivers")) {
            for (JsonNode webhook : r.path("webhook_configs")) {
                ((ObjectNode) webhook).put("url", receiver.url(r.path("name").asText()));
                webhooks++;
            }
        }
        assertEquals(AlertmanagerConfigTest.RECEIVER_BY_SEVERITY.size(), webhooks, "webhook receivers shipped");
        return PrometheusRulesTest.YAML.writeValueAsString(config);
    }

    // ---------------------------------------------------------------------------------------------- the checks

    /** An alert as the webhook delivered it: labels, annotations with a runbook URL that has a section. */
    private static void assertDelivered(JsonNode alert, String name, String severity, String receiver)
            throws IOException {
        JsonNode labels = alert.path("labels");
        assertEquals(name, labels.path("alertname").asText(), alert.toString());
        assertEquals(severity, labels.path("severity").asText(), alert.toString());
        assertEquals(receiver, alert.path("receiver").asText(), "receiver of " + alert);
        JsonNode annotations = alert.path("annotations");
        assertTrue(annotations.path("summary").asText().contains(labels.path("tenant").asText("")), alert.toString());
        assertTrue(!annotations.path("description").asText().isBlank(), alert.toString());
        String runbook = annotations.path("runbook_url").asText();
        assertEquals("https://github.com/impersonation-probe/impersonation-probe/blob/main/deploy/RUNBOOK.md#"
                + name.toLowerCase(), runbook, alert.toString());
        assertTrue(Files.readString(Path.of("deploy/RUNBOOK.md")).contains("\n## " + name + "\n"),
                "RUNBOOK.md has a section for " + name);
    }

    private static Predicate<JsonNode> labels(String alertname, String... pairs) {
        return alert -> {
            JsonNode labels = alert.path("labels");
            if (!alertname.equals(labels.path("alertname").asText())) {
                return false;
            }
            for (int i = 0; i + 1 < pairs.length; i += 2) {
                if (!pairs[i + 1].equals(labels.path(pairs[i]).asText())) {
                    return false;
                }
            }
            return true;
        };
    }

    /** Prometheus' activeAt or Alertmanager's startsAt (both RFC 3339) not before the instant. */
    private static boolean startedAfter(JsonNode alert, Instant instant) {
        String started = alert.has("activeAt") ? alert.path("activeAt").asText() : alert.path("startsAt").asText();
        return !started.isEmpty() && !Instant.parse(started).isBefore(instant.minusSeconds(1));
    }

    private static double daemonRatio(DaemonProcess daemon) {
        try {
            Metrics metrics = Metrics.scrape(daemon.baseUrl());
            double ok = metrics.value("impersonation_targets", "group", GROUP, "probe", "ews", "state", "ok").orElse(0);
            double failing = metrics.value("impersonation_targets", "group", GROUP, "probe", "ews", "state", "failing")
                    .orElse(0);
            return ok + failing == 0 ? Double.NaN : ok / (ok + failing);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean hasResult(PrometheusServer prometheus, String expression) {
        try {
            return !prometheus.query(expression).path("result").isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** pending, firing, or null while Prometheus holds no such alert. */
    private static String alertState(PrometheusServer prometheus, Predicate<JsonNode> alert) {
        try {
            for (JsonNode a : prometheus.get("/api/v1/alerts").path("alerts")) {
                if (alert.test(a)) {
                    return a.path("state").asText();
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean inhibited(AlertmanagerServer alertmanager, Predicate<JsonNode> alert) {
        try {
            for (JsonNode a : alertmanager.alerts()) {
                if (alert.test(a)) {
                    return "suppressed".equals(a.path("status").path("state").asText())
                            && !a.path("status").path("inhibitedBy").isEmpty();
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lets a bounded stretch of time pass, polling as every wait here does (a group flush would land in it). */
    private static void awaitQuiet(Duration span, Instant from) {
        new Timeline("a group flush's worth of time", span.plusSeconds(5))
                .stage(span.toSeconds() + " s passed", () -> Instant.now().isAfter(from.plus(span)))
                .run();
    }

    private void simulator(Simulator simulator, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path))
                .timeout(Duration.ofSeconds(10));
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(response.statusCode() / 100 == 2, method + " " + path + ": " + response.statusCode() + " "
                + response.body());
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /**
     * Ordered stages of one change, polled together every 100 ms under one bound; each stage's time is when it was
     * first seen to hold, and the printout gives each stage's share of the total.
     */
    static final class Timeline {
        private final String name;
        private final Duration bound;
        private final List<String> names = new ArrayList<>();
        private final List<BooleanSupplier> conditions = new ArrayList<>();

        Timeline(String name, Duration bound) {
            this.name = name;
            this.bound = bound;
        }

        Timeline stage(String stage, BooleanSupplier condition) {
            names.add(stage);
            conditions.add(condition);
            return this;
        }

        void run() {
            Instant start = Instant.now();
            Instant end = start.plus(bound);
            Instant[] seen = new Instant[names.size()];
            while (seen[seen.length - 1] == null) {
                for (int i = 0; i < seen.length; i++) {
                    if (seen[i] == null && conditions.get(i).getAsBoolean()) {
                        seen[i] = Instant.now();
                    }
                }
                if (seen[seen.length - 1] != null) {
                    break;
                }
                if (Instant.now().isAfter(end)) {
                    print(start, seen);
                    fail("timed out after " + bound + " in " + name + " waiting for: " + names.get(firstUnseen(seen)));
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            print(start, seen);
        }

        private static int firstUnseen(Instant[] seen) {
            for (int i = 0; i < seen.length; i++) {
                if (seen[i] == null) {
                    return i;
                }
            }
            return seen.length - 1;
        }

        private void print(Instant start, Instant[] seen) {
            StringBuilder out = new StringBuilder(name).append(':');
            Instant previous = start;
            for (int i = 0; i < seen.length; i++) {
                if (seen[i] == null) {
                    out.append(String.format("%n  %-70s not seen", names.get(i)));
                    continue;
                }
                Instant at = seen[i].isBefore(previous) ? previous : seen[i];
                out.append(String.format("%n  %-70s +%5.1f s (at %5.1f s)", names.get(i), seconds(previous, at),
                        seconds(start, seen[i])));
                previous = at;
            }
            if (seen[seen.length - 1] != null) {
                out.append(String.format("%n  %-70s  %5.1f s", "total", seconds(start, seen[seen.length - 1])));
            }
            System.out.println(out);
        }

        private static double seconds(Instant from, Instant to) {
            return Duration.between(from, to).toMillis() / 1000.0;
        }
    }

    /**
     * The webhook end of the receivers: Alertmanager posts each notification (a group of alerts) to
     * {@code /<receiver>}; every alert is kept with its receiver and when it arrived.
     */
    static final class WebhookReceiver implements AutoCloseable {
        private static final int MAX_BODY = 1 << 20;
        private final HttpServer server;
        private final List<Received> received = new CopyOnWriteArrayList<>();

        record Received(Instant at, String status, JsonNode alert) {
        }

        private WebhookReceiver(HttpServer server) {
            this.server = server;
        }

        static WebhookReceiver start() throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            WebhookReceiver receiver = new WebhookReceiver(server);
            server.createContext("/", exchange -> {
                try (InputStream in = exchange.getRequestBody()) {
                    byte[] body = in.readNBytes(MAX_BODY);
                    receiver.accept(exchange.getRequestURI().getPath().substring(1), JSON.readTree(body));
                    exchange.sendResponseHeaders(200, -1);
                } catch (IOException | RuntimeException e) {
                    exchange.sendResponseHeaders(400, -1);
                } finally {
                    exchange.close();
                }
            });
            server.start();
            return receiver;
        }

        String url(String receiver) {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + receiver;
        }

        private void accept(String path, JsonNode notification) {
            Instant at = Instant.now();
            assertEquals(path, notification.path("receiver").asText(), "the receiver posted to its own URL");
            for (JsonNode alert : notification.path("alerts")) {
                ObjectNode copy = alert.deepCopy();
                copy.put("receiver", path);
                received.add(new Received(at, alert.path("status").asText(), copy));
            }
        }

        Optional<JsonNode> firing(Predicate<JsonNode> alert) {
            return find("firing", alert, Instant.MIN);
        }

        Optional<JsonNode> firing(Predicate<JsonNode> alert, Instant since) {
            return find("firing", alert, since);
        }

        Optional<JsonNode> resolved(Predicate<JsonNode> alert, Instant since) {
            return find("resolved", alert, since);
        }

        private Optional<JsonNode> find(String status, Predicate<JsonNode> alert, Instant since) {
            return received.stream().filter(r -> r.status().equals(status) && !r.at().isBefore(since)
                    && alert.test(r.alert())).map(Received::alert).findFirst();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
