package io.impersonationprobe.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.impersonationprobe.simulator.Simulator;
import io.impersonationprobe.simulator.SimulatorOptions;
import io.impersonationprobe.testing.Await;
import io.impersonationprobe.testing.DaemonProcess;
import io.impersonationprobe.testing.Metrics;
import io.impersonationprobe.testing.PrometheusServer;
import io.impersonationprobe.testing.TestCertificates;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Grafana dashboards and the alert rules against real data: the packaged daemon in the demo profile, scraped
 * every second by a real Prometheus that loads the shipped configuration and rules. A short scenario makes the
 * simulated tenant produce what the panels show beyond a healthy demo (throttling and back-off, control-plane events,
 * a measured propagation delay, a deleted mailbox, and a second tenant whose client certificate is unregistered and
 * expires in 10 days). Then every panel query of every dashboard must return data, every rule must evaluate without
 * error, and the alerts must match the data: the demo's scope leak among them.
 */
class PrometheusDashboardsIT {
    static final Path WORK = Path.of("target", "prometheus-dashboards-it");
    static final Path DASHBOARDS = Path.of("grafana", "dashboards");
    static final String APP_ID = "6731de76-14a6-49ae-97bc-6eba6914391e";
    static final String ARCHIVER_GRANT = "EWS access for the mail archiver";
    /** A second tenant over the same simulated organisation, authenticating with a certificate nobody uploaded. */
    static final String CERT_TENANT = "contoso-cert";
    static final String CERT_GROUP = "contoso-cert-archive";
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(40);
    /** Grafana's built-in variables as a panel showing the last few minutes gets them. */
    static final Map<String, String> GRAFANA_VARIABLES = Map.of("__rate_interval", "1m", "__interval", "15s",
            "__interval_ms", "15000", "__range", "5m", "__range_s", "300", "__range_ms", "300000");
    static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\$(\\w+)|\\[\\[(\\w+)]]");
    static final Pattern LABEL_VALUES = Pattern.compile("^label_values\\((?:(.+),\\s*)?(\\w+)\\)$");
    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void everyPanelQueryReturnsDataAndTheAlertsMatchIt() throws Exception {
        PrometheusServer.require();
        deleteRecursively(WORK);
        Files.createDirectories(WORK);
        // The simulated tenant in this JVM, the daemon and Prometheus each on a free port.
        try (Simulator simulator = Simulator.start(SimulatorOptions.defaults());
             DaemonProcess daemon = DaemonProcess.start("dashboards", daemonProperties(simulator.baseUrl(),
                     simulator.port(), simulator.ldapPort()));
             PrometheusServer prometheus = PrometheusServer.start(WORK.resolve("prometheus"), prometheusConfig(daemon))) {
            runScenario(daemon, simulator.baseUrl());
            awaitInPrometheus(prometheus);

            List<String> problems = new ArrayList<>();
            int queries = 0;
            for (Path file : dashboardFiles()) {
                JsonNode dashboard = JSON.readTree(file.toFile());
                queries += checkVariables(prometheus, dashboard, problems);
                queries += checkPanels(prometheus, dashboard, problems);
            }
            System.out.println("Ran " + queries + " dashboard queries against " + prometheus.baseUrl());
            if (!problems.isEmpty()) {
                fail(problems.size() + " dashboard queries failed:\n  " + String.join("\n  ", problems));
            }
            checkRuleHealth(prometheus);
            awaitAlerts(prometheus);
        }
    }

    // ---------------------------------------------------------------------------------------------- the set-up

    private Map<String, String> daemonProperties(String simulator, int simulatorPort, int ldapPort) throws IOException {
        String password = "dashboards-it";
        Path p12 = TestCertificates.keyPair(WORK, "probe", "impersonation-probe dashboards", null, password, 10);
        Path certificate = Files.writeString(WORK.resolve("probe-cert.pem"),
                TestCertificates.certificatePem(TestCertificates.certificate(p12, password)));
        Path key = Files.writeString(WORK.resolve("probe-key.pem"), TestCertificates.privateKeyPem(p12, password));
        String tenant = "impersonation.tenants." + CERT_TENANT + ".";
        String group = "impersonation.groups." + CERT_GROUP + ".";
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("quarkus.profile", "demo");
        properties.put("simulator.enabled", "false");
        properties.put("simulator.port", String.valueOf(simulatorPort));
        properties.put("simulator.ldap-port", String.valueOf(ldapPort));
        // The shortest intervals the configuration allows, so that a minute gives every panel data.
        properties.put("impersonation.groups.sales-and-support.interval", "5s");
        properties.put("impersonation.groups.executives.interval", "5s");
        properties.put("impersonation.tenants.contoso.control-plane.interval", "5s");
        properties.put(tenant + "kind", "exchange-online");
        properties.put(tenant + "ews-url", simulator + "/EWS/Exchange.asmx");
        properties.put(tenant + "auth.method", "client-certificate");
        properties.put(tenant + "auth.directory", "contoso.onmicrosoft.com");
        properties.put(tenant + "auth.client-id", APP_ID);
        properties.put(tenant + "auth.certificate-pem-file", certificate.toAbsolutePath().toString());
        properties.put(tenant + "auth.private-key-pem-file", key.toAbsolutePath().toString());
        properties.put(tenant + "auth.authority-url-override", simulator);
        properties.put(tenant + "control-plane.enabled", "false");
        properties.put(group + "tenant", CERT_TENANT);
        properties.put(group + "interval", "5s");
        properties.put(group + "mailboxes", "alex.wilber@contoso.com");
        return properties;
    }

    /** The shipped prometheus.yml, scraping every second, pointed at this daemon, with the shipped rules. */
    private static String prometheusConfig(DaemonProcess daemon) throws IOException {
        ObjectNode config = (ObjectNode) PrometheusRulesTest.YAML.readTree(PrometheusRulesTest.PROMETHEUS_CONFIG.toFile());
        ObjectNode global = (ObjectNode) config.path("global");
        global.put("scrape_interval", "1s");
        global.put("evaluation_interval", "1s");
        config.putArray("rule_files").add(PrometheusRulesTest.RULES.toAbsolutePath().toString());
        ObjectNode job = (ObjectNode) config.path("scrape_configs").get(0);
        job.put("scrape_interval", "1s");
        ObjectNode targets = (ObjectNode) job.path("static_configs").get(0);
        targets.putArray("targets").add(URI.create(daemon.baseUrl()).getAuthority());
        return PrometheusRulesTest.YAML.writeValueAsString(config);
    }

    private void runScenario(DaemonProcess daemon, String simulator) throws Exception {
        await(daemon, "the demo's first results and control-plane poll", m ->
                value(m, "impersonation_targets", "group", "sales-and-support", "probe", "ews", "state", "ok") == 5
                        && value(m, "impersonation_targets", "group", "sales-and-support", "probe", "graph", "state",
                        "failing") == 1
                        && value(m, "impersonation_migration_blockers", "tenant", "contoso") == 1
                        && value(m, "impersonation_scope_leaks", "group", "executives") == 1
                        && value(m, "impersonation_org_ews_enabled_state", "tenant", "contoso", "state", "null") == 1
                        && value(m, "impersonation_token_requests_total", "tenant", CERT_TENANT, "result",
                        "invalid_client") >= 1);

        // A new principal gains mailbox access: a security event.
        simulator(simulator, "POST", "/control/apps", "{\"appId\":\"0badc0de-0000-4000-8000-00000000b0b0\",\"displayName\":\"Backup tool\"}");
        simulator(simulator, "POST", "/control/role-assignments", "{\"name\":\"Backup grant\",\"role\":\"Application EWS.AccessAsApp\","
                + "\"app\":\"0badc0de-0000-4000-8000-00000000b0b0\"}");

        // Over the concurrency budget with slow answers: ErrorServerBusy, throttled probes and a back-off.
        simulator(simulator, "PUT", "/control/faults", "{\"concurrencyBudget\":1,\"ewsLatencyMs\":300,\"serverBusyBackOffMs\":1000}");
        await(daemon, "throttled probes and a back-off", m ->
                value(m, "impersonation_throttled_total", "tenant", "contoso") >= 1
                        && value(m, "impersonation_backoff_seconds_total", "tenant", "contoso") > 0);
        simulator(simulator, "DELETE", "/control/faults", null);

        // The archiver's grant removed, seen by a poll, then granted again with a 12 s propagation delay: pending
        // targets, then a measured delay.
        simulator(simulator, "DELETE", "/control/role-assignments/" + path(ARCHIVER_GRANT), null);
        await(daemon, "the grant's removal in the probes and the control plane", m ->
                value(m, "impersonation_targets", "group", "sales-and-support", "probe", "ews", "state", "failing") == 5
                        && value(m, "impersonation_control_plane_events_total", "type", "assignment_removed") >= 1
                        && value(m, "impersonation_control_plane_events_total", "type", "principal_gained_access") >= 1);
        simulator(simulator, "PUT", "/control/propagation", "{\"delaySeconds\":12}");
        simulator(simulator, "POST", "/control/role-assignments", "{\"name\":\"" + ARCHIVER_GRANT + "\",\"role\":\"Application "
                + "EWS.AccessAsApp\",\"app\":\"" + APP_ID + "\",\"scope\":\"Sales and Support\"}");
        await(daemon, "a measured propagation delay", m ->
                value(m, "impersonation_propagation_delay_seconds_count", "tenant", "contoso") >= 1
                        && value(m, "impersonation_targets", "group", "sales-and-support", "probe", "ews", "state",
                        "ok") == 5);
        simulator(simulator, "PUT", "/control/propagation", "{\"delaySeconds\":0}");

        // A departed user: one failing target that once succeeded, too few to break its group.
        simulator(simulator, "DELETE", "/control/mailboxes/megan.bowen@contoso.com", null);
        await(daemon, "the deleted mailbox failing", m ->
                value(m, "impersonation_targets", "group", "sales-and-support", "probe", "ews", "state", "failing") == 1
                        && value(m, "impersonation_probes_total", "group", "sales-and-support", "probe", "ews", "outcome",
                        "mailbox_not_found") >= 1);
    }

    /** Until Prometheus has scraped the scenario's end state and evaluated the rules on it. */
    private static void awaitInPrometheus(PrometheusServer prometheus) {
        List<String> expressions = List.of(
                "impersonation_targets{group=\"sales-and-support\",probe=\"ews\",state=\"failing\"} == 1",
                "impersonation_migration_blockers{tenant=\"contoso\"} == 1",
                "impersonation_propagation_delay_seconds_count{tenant=\"contoso\"} > 0",
                "tenant_group_probe:impersonation_probe_success:ratio{group=\"sales-and-support\",probe=\"ews\"} == 0.8",
                "ALERTS{alertname=\"ImpersonationProbeScopeLeak\"}");
        for (String expression : expressions) {
            Await.until(STEP_TIMEOUT, "Prometheus to show " + expression + "; see " + prometheus.log(),
                    () -> !query(prometheus, expression).path("result").isEmpty());
        }
    }

    private static JsonNode query(PrometheusServer prometheus, String expression) {
        try {
            return prometheus.query(expression);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------------------------------------- the checks

    /** Every template variable's label_values query finds values. */
    private static int checkVariables(PrometheusServer prometheus, JsonNode dashboard, List<String> problems) {
        int queries = 0;
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (!"query".equals(variable.path("type").asText())) {
                continue;
            }
            String where = dashboard.path("title").asText() + " / variable " + variable.path("name").asText();
            String query = variable.path("query").isObject() ? variable.path("query").path("query").asText()
                    : variable.path("query").asText();
            Matcher labelValues = LABEL_VALUES.matcher(substitute(query, allValues(), problems, where));
            if (!labelValues.matches()) {
                problems.add(where + ": not a label_values query: " + query);
                continue;
            }
            String path = "/api/v1/label/" + labelValues.group(2) + "/values"
                    + (labelValues.group(1) == null ? ""
                    : "?match%5B%5D=" + URLEncoder.encode(labelValues.group(1), StandardCharsets.UTF_8));
            queries++;
            try {
                if (prometheus.get(path).isEmpty()) {
                    problems.add(where + ": no values: " + query);
                }
            } catch (IOException e) {
                problems.add(where + ": " + e.getMessage() + ": " + query);
            }
        }
        return queries;
    }

    /**
     * Every target of every panel, with all tenants and groups selected (the variables' All), must return at least
     * one series with a number; with one tenant and group selected it must at least be a valid query.
     */
    private static int checkPanels(PrometheusServer prometheus, JsonNode dashboard, List<String> problems) {
        int queries = 0;
        for (JsonNode panel : panels(dashboard)) {
            for (JsonNode target : panel.path("targets")) {
                String where = dashboard.path("title").asText() + " / " + panel.path("title").asText() + " / "
                        + target.path("refId").asText();
                String expr = target.path("expr").asText();
                if (expr.isBlank()) {
                    problems.add(where + ": no expr");
                    continue;
                }
                queries += 2;
                try {
                    JsonNode data = prometheus.query(substitute(expr, allValues(), problems, where));
                    if (data.path("result").isEmpty()) {
                        problems.add(where + ": no series: " + expr);
                    } else if (!hasNumber(data)) {
                        problems.add(where + ": only NaN: " + expr);
                    }
                    prometheus.query(substitute(expr, oneValue(), problems, where));
                } catch (IOException e) {
                    problems.add(where + ": " + e.getMessage() + ": " + expr);
                }
            }
        }
        return queries;
    }

    /** Every recording and alerting rule evaluated on the real series without an error. */
    private static void checkRuleHealth(PrometheusServer prometheus) throws IOException {
        int rules = 0;
        for (JsonNode group : prometheus.get("/api/v1/rules").path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                rules++;
                assertEquals("ok", rule.path("health").asText(), rule.path("name").asText() + ": "
                        + rule.path("lastError").asText());
            }
        }
        assertEquals(PrometheusRulesTest.rules().size(), rules, "rules loaded by Prometheus");
    }

    /** Alerts follow the data by a rule evaluation or two: the checks may take a few tries. */
    private static void awaitAlerts(PrometheusServer prometheus) {
        AssertionError[] lastMismatch = new AssertionError[1];
        try {
            Await.until(Duration.ofSeconds(15), "the alerts to match the data", () -> {
                try {
                    checkAlerts(prometheus);
                    return true;
                } catch (AssertionError notYet) {
                    lastMismatch[0] = notYet;
                    return false;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (AssertionError timedOut) {
            throw lastMismatch[0] != null ? lastMismatch[0] : timedOut;
        }
    }

    /** The alerts that the scenario's end state must raise, and some it must not. */
    private static void checkAlerts(PrometheusServer prometheus) throws IOException {
        List<JsonNode> alerts = new ArrayList<>();
        prometheus.get("/api/v1/alerts").path("alerts").forEach(alerts::add);
        String all = alerts.toString();
        // Rules without "for" fire at once; the others are pending for their "for".
        assertAlert(alerts, all, "ImpersonationProbeScopeLeak", "firing", "critical", "group", "executives");
        assertAlert(alerts, all, "ImpersonationProbePrincipalGainedAccess", "firing", "warning", "tenant", "contoso");
        assertAlert(alerts, all, "ImpersonationProbeAccessBroken", "pending", "critical", "group", CERT_GROUP);
        assertAlert(alerts, all, "ImpersonationProbeTokenAcquisitionFailing", "pending", "warning", "tenant", CERT_TENANT);
        assertAlert(alerts, all, "ImpersonationProbeClientCertificateExpiring", "pending", "warning", "tenant",
                CERT_TENANT);
        assertAlert(alerts, all, "ImpersonationProbeTargetsFailing", "pending", "warning", "group", "sales-and-support");
        // The shared support mailbox works over EWS but not over Graph.
        assertAlert(alerts, all, "ImpersonationProbeMigrationBlockers", "pending", "warning", "tenant", "contoso");
        // Four of five reachable over EWS is not a broken group (over Graph, with the blocker and the deleted mailbox,
        // it is: 3 of 5); a 10-day certificate is not critical; the daemon is up.
        assertNoAlert(alerts, all, "ImpersonationProbeAccessBroken", "group", "sales-and-support", "probe", "ews");
        assertNoAlert(alerts, all, "ImpersonationProbeClientCertificateExpiring", "severity", "critical");
        assertNoAlert(alerts, all, "ImpersonationProbeTargetsFailing", "group", "executives");
        for (String absent : List.of("ImpersonationProbeDown", "ImpersonationProbeAbsent", "ImpersonationProbeStale",
                "ImpersonationProbeEwsDisabled", "ImpersonationProbeEwsAppNotAllowed", "ImpersonationProbeOrgDehydrated",
                "ImpersonationProbeControlPlanePollFailing", "ImpersonationProbePropagationStuck")) {
            assertNoAlert(alerts, all, absent, "alertname", absent);
        }
    }

    private static void assertAlert(List<JsonNode> alerts, String all, String name, String state, String severity,
                                    String label, String value) {
        assertTrue(alerts.stream().anyMatch(alert -> name.equals(alert.path("labels").path("alertname").asText())
                        && value.equals(alert.path("labels").path(label).asText())
                        && severity.equals(alert.path("labels").path("severity").asText())
                        && state.equals(alert.path("state").asText())),
                "expected " + name + "{" + label + "=" + value + ", severity=" + severity + "} " + state + "; alerts: "
                        + all);
    }

    /** No alert of this name whose labels have all the given values ({@code label, value, ...}). */
    private static void assertNoAlert(List<JsonNode> alerts, String all, String name, String... labels) {
        assertTrue(alerts.stream().noneMatch(alert -> {
                    if (!name.equals(alert.path("labels").path("alertname").asText())) {
                        return false;
                    }
                    for (int i = 0; i + 1 < labels.length; i += 2) {
                        if (!labels[i + 1].equals(alert.path("labels").path(labels[i]).asText())) {
                            return false;
                        }
                    }
                    return true;
                }),
                "unexpected " + name + String.join(",", labels) + "; alerts: " + all);
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private static List<Path> dashboardFiles() throws IOException {
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            List<Path> found = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
            assertEquals(3, found.size(), "dashboards in " + DASHBOARDS);
            return found;
        }
    }

    /** Every panel with queries, also those inside collapsed rows. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if ("row".equals(panel.path("type").asText())) {
                panel.path("panels").forEach(panels::add);
            } else {
                panels.add(panel);
            }
        }
        return panels;
    }

    private static Map<String, String> allValues() {
        Map<String, String> values = new LinkedHashMap<>(GRAFANA_VARIABLES);
        values.put("tenant", ".*");
        values.put("group", ".*");
        return values;
    }

    private static Map<String, String> oneValue() {
        Map<String, String> values = new LinkedHashMap<>(GRAFANA_VARIABLES);
        values.put("tenant", "contoso");
        values.put("group", "sales-and-support");
        return values;
    }

    /** Replaces $name, ${name} and [[name]]; a variable without a value is a problem. */
    static String substitute(String expr, Map<String, String> values, List<String> problems, String where) {
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            String value = values.get(name);
            if (value == null) {
                problems.add(where + ": unknown variable $" + name);
                value = m.group();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Whether an instant query's answer holds a value other than NaN. */
    private static boolean hasNumber(JsonNode data) {
        List<JsonNode> samples = new ArrayList<>();
        if ("scalar".equals(data.path("resultType").asText())) {
            samples.add(data.path("result"));
        } else {
            data.path("result").forEach(series -> samples.add(series.path("value")));
        }
        return samples.stream().map(sample -> sample.path(1).asText()).anyMatch(v -> !v.isEmpty() && !v.equals("NaN"));
    }

    private static void await(DaemonProcess daemon, String what, Predicate<Metrics> condition) {
        Await.until(STEP_TIMEOUT, what + "; see " + daemon.log(), () -> {
            try {
                return condition.test(Metrics.scrape(daemon.baseUrl()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    /** The value of the one sample matching, summed over the others' labels; -1 when there is none. */
    private static double value(Metrics metrics, String name, String... labels) {
        List<Metrics.Sample> samples = metrics.find(name, labels);
        return samples.isEmpty() ? -1 : samples.stream().mapToDouble(Metrics.Sample::value).sum();
    }

    private void simulator(String base, String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(response.statusCode() / 100 == 2, method + " " + path + ": " + response.statusCode() + " "
                + response.body());
    }

    private static String path(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(path)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
