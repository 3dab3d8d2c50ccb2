package io.impersonationprobe.graph;

import io.impersonationprobe.target.ProbeKind;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.control.ControlPlanePoller;
import io.impersonationprobe.probe.Outcome;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.ProbeRunner;
import io.impersonationprobe.probe.ProbeScheduler;
import io.impersonationprobe.probe.ResultStore;
import io.impersonationprobe.probe.TargetStatus;
import io.impersonationprobe.simulator.Simulator;
import io.impersonationprobe.testing.Await;
import io.impersonationprobe.testing.Daemon;
import io.impersonationprobe.testing.FreshDemo;
import io.impersonationprobe.testing.Http;
import io.impersonationprobe.testing.Metrics;
import io.impersonationprobe.testing.Promtool;
import io.impersonationprobe.testing.SimulatorResource;
import io.impersonationprobe.testing.SimulatorResource.InjectSimulator;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Graph probe through the real stack: the Quarkus REST client over HTTP to the simulator's Graph endpoint, with
 * Graph-audience tokens that msal4j gets from the simulator's token endpoint. The demo groups run with both probe
 * kinds here, so the demo's Graph scope (user mailboxes of Sales and Support) makes the shared support mailbox a
 * migration blocker, and nestor.wilke (Sales, in the deny group) a scope leak over Graph as over EWS.
 */
@QuarkusTest
@TestProfile(GraphProbeTest.BothProbes.class)
@WithTestResource(value = SimulatorResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class GraphProbeTest {
    static final String KEY = "test-admin-key";
    static final String BLOCKER = "support@contoso.com";
    static final ObjectMapper JSON = new ObjectMapper();

    @InjectSimulator
    Simulator simulator;
    @Inject
    ResultStore store;
    @Inject
    ProbeScheduler scheduler;

    @Inject
    ProbeRunner runner;
    @Inject
    ControlPlanePoller poller;
    @Inject
    ValidatedConfig config;

    public static class BothProbes implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "impersonation.groups.sales-and-support.probes", "ews,graph",
                    "impersonation.groups.executives.probes", "ews,graph",
                    "impersonation.groups.departed.probes", "ews,graph",
                    "impersonation.scheduler.jitter", "0");
        }
    }

    @BeforeEach
    void demoTenant() {
        FreshDemo.restore(simulator, scheduler, poller, config);
    }

    @Test
    void scheduledGraphProbesClassifyEveryDemoTarget() {
        assertEquals(Outcome.OK, effective(ProbeKind.GRAPH, "sales-and-support/alex.wilber@contoso.com").outcome());
        ProbeResult blocked = effective(ProbeKind.GRAPH, "sales-and-support/" + BLOCKER);
        assertEquals(Outcome.ACCESS_DENIED, blocked.outcome(), blocked.detail());
        assertEquals(403, blocked.httpStatus());
        assertEquals("ErrorAccessDenied", blocked.responseCode());
        assertTrue(blocked.remediation().contains("Application Mail.ReadBasic"), blocked.remediation());
        assertTrue(blocked.cause().contains("Microsoft Graph"), blocked.cause());
        assertEquals(Outcome.OK, effective(ProbeKind.EWS, "sales-and-support/" + BLOCKER).outcome(), "EWS still reaches it");

        ProbeResult leak = effective(ProbeKind.GRAPH, "executives/nestor.wilke@contoso.com");
        assertEquals(Outcome.SCOPE_LEAK, leak.outcome());
        assertEquals(Outcome.ACCESS_DENIED, effective(ProbeKind.GRAPH, "executives/patti.fernandez@contoso.com").outcome());
        ProbeResult departed = effective(ProbeKind.GRAPH, "departed/former.employee@contoso.com");
        assertEquals(Outcome.MAILBOX_NOT_FOUND, departed.outcome(), departed.detail());
        assertEquals("ErrorInvalidUser", departed.responseCode());
    }

    @Test
    void metricsCountBlockersAndStatesPerProbeKind() throws Exception {
        Metrics metrics = Metrics.scrape(Daemon.url());
        assertEquals(1.0, metrics.value("impersonation_migration_blockers", "tenant", "contoso").orElseThrow());
        assertEquals(1.8065376E9, metrics.value("impersonation_ews_retirement_timestamp_seconds").orElseThrow(),
                "2027-04-01T00:00:00Z");
        assertEquals(1.0, metrics.value("impersonation_targets", "group", "sales-and-support", "probe", "graph",
                "state", "failing").orElseThrow());
        assertEquals(4.0, metrics.value("impersonation_targets", "group", "sales-and-support", "probe", "graph",
                "state", "ok").orElseThrow());
        assertEquals(5.0, metrics.value("impersonation_targets", "group", "sales-and-support", "probe", "ews",
                "state", "ok").orElseThrow());
        assertEquals(1.0, metrics.value("impersonation_scope_leaks", "group", "executives").orElseThrow(),
                "nestor leaks over both paths and counts once");
        assertEquals(0.0, metrics.value("impersonation_probe_success", "group", "sales-and-support", "mailbox", BLOCKER,
                "probe", "graph").orElseThrow());
        assertEquals(1.0, metrics.value("impersonation_probe_success", "group", "sales-and-support", "mailbox", BLOCKER,
                "probe", "ews").orElseThrow());
        assertTrue(metrics.value("impersonation_probes_total", "group", "sales-and-support", "probe", "graph",
                "outcome", "access_denied").orElseThrow() >= 1);
        Promtool.require();
        Promtool.Result lint = Promtool.run(metrics.text(), "check", "metrics");
        assertEquals("", lint.output().strip(), "promtool findings");
    }

    @Test
    void readinessShowsTheBlockerInTheApiAndOnThePage() {
        JsonNode readiness = json(api().get("/api/v1/readiness").then().statusCode(200).extract().response());
        assertEquals(1, readiness.size());
        JsonNode contoso = readiness.get(0).path("readiness");
        assertEquals("contoso", readiness.get(0).path("tenant").asText());
        assertEquals(1, contoso.path("blockers").asInt());
        assertEquals("2027-04-01T00:00:00Z", contoso.path("ewsRetirement").asText());
        JsonNode support = find(contoso.path("targets"), "sales-and-support/" + BLOCKER);
        assertEquals("blocker", support.path("state").asText());
        assertEquals("ok", support.path("ewsOutcome").asText());
        assertEquals("access_denied", support.path("graphOutcome").asText());
        assertTrue(support.path("graphRemediation").asText().contains("Application Mail.ReadBasic"));
        assertEquals("ready", find(contoso.path("targets"), "sales-and-support/alex.wilber@contoso.com")
                .path("state").asText());
        assertEquals("graph_leak", find(contoso.path("targets"), "executives/nestor.wilke@contoso.com")
                .path("state").asText());

        JsonNode tenant = json(api().get("/api/v1/tenants/contoso").then().statusCode(200).extract().response());
        assertEquals(1, tenant.path("readiness").path("blockers").asInt());
        assertEquals(2, countGroups(tenant, "sales-and-support"), "one group view per probe kind");

        JsonNode graphTargets = json(api().queryParam("group", "sales-and-support").queryParam("probe", "graph")
                .get("/api/v1/targets").then().statusCode(200).extract().response());
        assertEquals(5, graphTargets.path("total").asInt());
        graphTargets.path("items").forEach(item -> assertEquals("graph", item.path("probe").asText()));
        api().queryParam("probe", "graph").get("/api/v1/targets/sales-and-support/" + BLOCKER).then().statusCode(200)
                .body("probe", org.hamcrest.Matchers.equalTo("graph"))
                .body("outcome", org.hamcrest.Matchers.equalTo("access_denied"));
        api().get("/api/v1/targets/sales-and-support/" + BLOCKER).then().statusCode(200)
                .body("probe", org.hamcrest.Matchers.equalTo("ews"));

        String page = RestAssured.given().get("/").then().statusCode(200).extract().asString();
        int section = page.indexOf("id=\"readiness\"");
        assertTrue(section > 0, "the page has a readiness section");
        String readinessSection = page.substring(section, page.indexOf("</section>", section));
        assertTrue(readinessSection.contains(BLOCKER), readinessSection);
        assertTrue(readinessSection.contains("2027-04-01"), readinessSection);
        assertTrue(readinessSection.contains("class=\"blocker\""), readinessSection);
        assertTrue(readinessSection.contains("class=\"bad\" id=\"blockers-contoso\">1 blocker(s)"), readinessSection);
        // contoso's 9 targets (probed over EWS and Graph, counted once) and the on-premises tenant fabrikam's 8.
        assertTrue(page.contains("17 target(s)"), "the header counts targets, not results per probe kind");
    }

    @Test
    void aDenyTargetReachableOverGraphOnlyIsAScopeLeak() throws Exception {
        // Patti (Executive) is refused over EWS; a Graph grant for the executive office opens her to Graph alone.
        send("POST", "/control/management-scopes", "{\"name\":\"Executive office (Graph)\",\"recipientFilter\":"
                + "\"Department -eq 'Executive'\"}");
        send("POST", "/control/role-assignments", "{\"name\":\"Graph access for the executive office\",\"role\":"
                + "\"Application Mail.ReadBasic\",\"app\":\"6731de76-14a6-49ae-97bc-6eba6914391e\",\"scope\":"
                + "\"Executive office (Graph)\"}");
        String patti = "executives/patti.fernandez@contoso.com";
        Instant after = Instant.now();
        Await.until(Duration.ofSeconds(30), "patti's scheduled graph probe after the grant", () -> {
            TargetStatus status = store.status(ProbeKind.GRAPH, patti);
            return status.last() != null && status.last().startedAt().isAfter(after);
        });
        assertEquals(Outcome.SCOPE_LEAK, effective(ProbeKind.GRAPH, patti).outcome());
        assertEquals(Outcome.IMPERSONATION_DENIED, effective(ProbeKind.EWS, patti).outcome(), "EWS still refuses her");
        Await.until(Duration.ofSeconds(30), "the leak counted", () -> store.scopeLeaks("executives") == 2);

        JsonNode readiness = json(api().get("/api/v1/readiness").then().statusCode(200).extract().response());
        JsonNode row = find(readiness.get(0).path("readiness").path("targets"), patti);
        assertEquals("graph_leak", row.path("state").asText());
        assertEquals("impersonation_denied", row.path("ewsOutcome").asText());
        assertEquals("scope_leak", row.path("graphOutcome").asText());

        JsonNode check = liveCheck("patti.fernandez@contoso.com");
        assertEquals("scope_leak", check.path("outcome").asText());
        assertFalse(check.path("success").asBoolean());
        JsonNode response = step(check, "graph-response");
        assertEquals(200, response.path("detail").path("httpStatus").asInt());
        assertFalse(response.path("detail").path("requestId").asText().isEmpty(), "request-id for support");
        assertEquals(step(check, "graph-request").path("detail").path("clientRequestId").asText(),
                response.path("detail").path("clientRequestId").asText(), "Graph echoes our client-request-id");
    }

    @Test
    void throttlingPausesTheGraphProbesOnly() throws Exception {
        send("PUT", "/control/faults", "{\"graphThrottledRetryAfterSeconds\":3}");
        JsonNode check = liveCheck("alex.wilber@contoso.com");
        assertEquals("throttled", check.path("outcome").asText());
        assertEquals(3, step(check, "graph-response").path("detail").path("retryAfterSeconds").asInt());
        assertEquals(429, step(check, "graph-response").path("detail").path("httpStatus").asInt());

        Instant after = Instant.now();
        Await.until(Duration.ofSeconds(30), "a throttled scheduled graph probe", () -> {
            ProbeResult last = store.status(ProbeKind.GRAPH, "sales-and-support/alex.wilber@contoso.com").last();
            return last != null && last.startedAt().isAfter(after) && last.outcome() == Outcome.THROTTLED;
        });
        ProbeResult throttled = store.status(ProbeKind.GRAPH, "sales-and-support/alex.wilber@contoso.com").last();
        assertEquals(Duration.ofSeconds(3), throttled.backOff());
        Await.until(Duration.ofSeconds(30), "the graph gate to close", () -> runner.pausedUntil("contoso", ProbeKind.GRAPH).isAfter(Instant.now()));
        assertFalse(runner.pausedUntil("contoso", ProbeKind.EWS).isAfter(Instant.now()), "EWS is not held up by Graph");
        assertEquals(Outcome.OK, store.status(ProbeKind.GRAPH, "sales-and-support/alex.wilber@contoso.com").effective().outcome(),
                "throttling is transient: the last definite verdict stands");
    }

    @Test
    void notFoundNotEnabledAndTimeoutAreClassified() throws Exception {
        send("PUT", "/control/faults", "{\"graphErrors\":{\"lynne.robbins@contoso.com\":\"MailboxNotEnabledForRESTAPI\","
                + "\"diego.siciliani@contoso.com\":\"ErrorItemNotFound\"}}");
        assertEquals("mailbox_not_enabled_for_rest", liveCheck("lynne.robbins@contoso.com").path("outcome").asText());
        assertEquals("mailbox_not_found", liveCheck("diego.siciliani@contoso.com").path("outcome").asText());
        send("PUT", "/control/faults", "{\"graphErrors\":{},\"graphLatencyMs\":7000}");
        JsonNode slow = liveCheck("megan.bowen@contoso.com");
        assertEquals("timeout", slow.path("outcome").asText());
        assertTrue(slow.path("durationMillis").asLong() < 6500, "cut at the 5 s deadline: " + slow.path("durationMillis"));
    }

    @Test
    void anUnknownProbeKindIsRefused() {
        api().contentType(ContentType.JSON).body("{\"tenant\":\"contoso\",\"mailbox\":\"alex.wilber@contoso.com\","
                + "\"probe\":\"imap\"}").post("/api/v1/checks").then().statusCode(400);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static io.restassured.specification.RequestSpecification api() {
        return RestAssured.given().header("Authorization", "Bearer " + KEY);
    }

    private static JsonNode liveCheck(String mailbox) {
        return json(api().contentType(ContentType.JSON)
                .body("{\"tenant\":\"contoso\",\"mailbox\":\"" + mailbox + "\",\"probe\":\"graph\"}")
                .post("/api/v1/checks").then().statusCode(200).extract().response());
    }

    private static JsonNode step(JsonNode report, String name) {
        for (JsonNode step : report.path("steps")) {
            if (name.equals(step.path("name").asText())) {
                return step;
            }
        }
        fail("no step " + name + " in " + report);
        return null;
    }

    private static JsonNode find(JsonNode targets, String id) {
        for (JsonNode target : targets) {
            if (id.equals(target.path("id").asText())) {
                return target;
            }
        }
        fail("no target " + id + " in " + targets);
        return null;
    }

    private static int countGroups(JsonNode tenant, String name) {
        int count = 0;
        for (JsonNode group : tenant.path("groups")) {
            count += name.equals(group.path("name").asText()) ? 1 : 0;
        }
        return count;
    }

    private static JsonNode json(Response response) {
        try {
            return JSON.readTree(response.asString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private ProbeResult effective(ProbeKind probe, String id) {
        TargetStatus status = store.status(probe, id);
        assertNotNull(status, probe + " " + id);
        return status.effective();
    }

    private void send(String method, String path, String body) {
        HttpResponse<String> response = Http.send(method, simulator.baseUrl() + path, body);
        assertTrue(response.statusCode() / 100 == 2, method + " " + path + ": " + response.statusCode() + " "
                + response.body());
    }
}
