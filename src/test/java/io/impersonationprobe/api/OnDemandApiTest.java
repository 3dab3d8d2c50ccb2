package io.impersonationprobe.api;

import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.control.ControlPlanePoller;
import io.impersonationprobe.probe.ProbeScheduler;
import io.impersonationprobe.simulator.Faults;
import io.impersonationprobe.simulator.Simulator;
import io.impersonationprobe.testing.FreshDemo;
import io.impersonationprobe.testing.SimulatorResource;
import io.impersonationprobe.testing.SimulatorResource.InjectSimulator;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.oneOf;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The on-demand API over real HTTP against the demo tenant: every endpoint with each role, and every refusal as an
 * RFC 9457 problem. Keys come from {@code src/test/resources/api-keys.txt}; each is {@code test-<caller>-key}.
 */
@QuarkusTest
@WithTestResource(value = SimulatorResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class OnDemandApiTest {
    static final String READER = "test-reader-key";
    static final String CHECKER = "test-checker-key";
    static final String ADMIN = "test-admin-key";
    static final String LEAK = "nestor.wilke@contoso.com";
    static final String ALLOWED = "megan.bowen@contoso.com";

    @InjectSimulator
    Simulator simulator;

    @Inject
    ProbeScheduler scheduler;

    @Inject
    ControlPlanePoller poller;

    @Inject
    ValidatedConfig config;

    private final List<LogRecord> audit = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Handler auditCapture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            audit.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void demoTenantAndAudit() {
        // The read endpoints serve the results of scheduled probes of the demo tenant.
        FreshDemo.restore(simulator, scheduler, poller, config);
        Logger.getLogger("io.impersonationprobe.audit").addHandler(auditCapture);
    }

    @AfterEach
    void stopCapture() {
        Logger.getLogger("io.impersonationprobe.audit").removeHandler(auditCapture);
    }

    static RequestSpecification as(String key) {
        return RestAssured.given().header("Authorization", "Bearer " + key);
    }

    static Response check(String key, String body) {
        return as(key).contentType(ContentType.JSON).body(body).post("/api/v1/checks");
    }

    @Test
    void liveCheckTracesEveryStepAndNamesTheLeak() {
        check(CHECKER, "{\"tenant\":\"contoso\",\"mailbox\":\"Nestor.Wilke@contoso.com\"}").then()
                .statusCode(200).contentType(ContentType.JSON)
                .body("tenant", equalTo("contoso"))
                .body("mailbox", equalTo(LEAK))
                .body("expect", equalTo("deny"))
                .body("expectSource", equalTo("group executives"))
                .body("verdict", equalTo("allowed"))
                .body("outcome", equalTo("scope_leak"))
                .body("success", equalTo(false))
                .body("remediation", containsString("Test-ServicePrincipalAuthorization"))
                .body("steps.name", equalTo(List.of("configuration", "token", "ews-request", "ews-response",
                        "control-plane", "verdict")))
                .body("steps[0].detail.credential", equalTo("oauth-client-secret"))
                .body("steps[1].detail.source", notNullValue())
                .body("steps[2].detail.anchorMailboxHeader", equalTo(LEAK))
                .body("steps[2].detail.impersonation", containsString("SmtpAddress"))
                .body("steps[3].detail.httpStatus", equalTo(200))
                .body("steps[3].detail.responseCode", equalTo("NoError"))
                .body("steps[3].detail.serverVersion", startsWith("15."))
                .body("steps[4].detail.scopesCovering", hasItem("Sales and Support"))
                .body("steps[4].detail.isDehydrated", equalTo(false))
                // What Exchange decides for the app today, with the tri-state EwsEnabled as a label.
                .body("steps[4].detail.ewsDecision", oneOf("allowed", "allowed_for_now"))
                .body("steps[4].detail.ewsEnabled", oneOf("true", "null"))
                .body("steps[5].status", equalTo("failed"))
                .body("steps.durationMillis", everyItem(notNullValue()));
    }

    @Test
    void liveCheckIsLiveNotTheScheduledResult() throws Exception {
        String before = as(READER).get("/api/v1/targets/sales-and-support/" + ALLOWED).then().statusCode(200)
                .extract().path("outcome");
        assertEquals("ok", before);
        simulator.tenant().setFaults(Faults.none().withResponseCode(ALLOWED, "ErrorImpersonateUserDenied"));
        check(CHECKER, "{\"tenant\":\"contoso\",\"mailbox\":\"" + ALLOWED + "\"}").then().statusCode(200)
                .body("outcome", equalTo("impersonation_denied"))
                .body("success", equalTo(false))
                .body("steps[3].detail.responseCode", equalTo("ErrorImpersonateUserDenied"));
        // An explicit expectation overrides the group's.
        check(CHECKER, "{\"tenant\":\"contoso\",\"mailbox\":\"" + ALLOWED + "\",\"expect\":\"deny\"}").then()
                .statusCode(200).body("success", equalTo(true)).body("expectSource", equalTo("request"));
    }

    @Test
    void textReportReadsInATerminal() {
        String text = as(CHECKER).accept("text/plain").contentType(ContentType.JSON)
                .body("{\"tenant\":\"contoso\",\"mailbox\":\"" + LEAK + "\"}").post("/api/v1/checks")
                .then().statusCode(200).contentType(containsString("text/plain")).extract().asString();
        assertTrue(text.contains("Live check of " + LEAK), text);
        assertTrue(text.contains("[OK     ] token"), text);
        assertTrue(text.contains("RESULT: FAILED - verdict allowed, outcome scope_leak, expected deny"), text);
        assertTrue(text.contains("Fix:   Find what grants it"), text);
        assertFalse(text.contains("simulator-demo-secret"), "the client secret never appears");
    }

    @Test
    void everyLiveCheckIsAuditedWithoutTheKey() {
        check(ADMIN, "{\"tenant\":\"contoso\",\"mailbox\":\"" + ALLOWED + "\"}").then().statusCode(200);
        List<String> lines = audit.stream().map(LogRecord::getMessage).map(m -> String.valueOf(m)).toList();
        List<String> formatted = audit.stream().map(r -> new java.util.logging.SimpleFormatter().formatMessage(r)).toList();
        String line = formatted.stream().filter(l -> l.contains("mailbox=" + ALLOWED)).findFirst()
                .orElseThrow(() -> new AssertionError("no audit line in " + formatted + " / " + lines));
        assertTrue(line.contains("caller=admin"), line);
        assertTrue(line.contains("tenant=contoso"), line);
        assertTrue(line.contains("verdict=allowed"), line);
        assertTrue(line.contains("outcome=ok"), line);
        assertFalse(line.contains(ADMIN), "the API key is never logged");
    }

    @Test
    void readEndpointsServeTheScheduledResults() {
        // The test profile's targets: contoso's nine and the on-premises tenant fabrikam's eight.
        as(READER).get("/api/v1/targets").then().statusCode(200)
                .body("total", equalTo(17)).body("items", hasSize(17)).body("page", equalTo(1));
        as(READER).queryParam("tenant", "contoso").get("/api/v1/targets").then().statusCode(200)
                .body("total", equalTo(9)).body("items.tenant", everyItem(equalTo("contoso")));
        as(READER).queryParam("state", "failing").queryParam("group", "executives").get("/api/v1/targets").then()
                .statusCode(200).body("items.mailbox", equalTo(List.of(LEAK)))
                .body("items[0].outcome", equalTo("scope_leak"))
                .body("items[0].remediation", notNullValue());
        as(READER).queryParam("outcome", "ok").queryParam("size", 2).queryParam("page", 2).get("/api/v1/targets")
                .then().statusCode(200).body("items", hasSize(2)).body("total", greaterThan(4));
        as(READER).get("/api/v1/targets/executives/" + LEAK).then().statusCode(200)
                .body("id", equalTo("executives/" + LEAK)).body("history.size()", greaterThan(0))
                .body("history[0].outcome", equalTo("scope_leak"));
        as(READER).get("/api/v1/tenants").then().statusCode(200).body("id", equalTo(List.of("contoso", "fabrikam")));
        // The on-premises tenant's view: its directory and the predictions by agreement instead of EWS gates.
        as(READER).get("/api/v1/tenants/fabrikam").then().statusCode(200)
                .body("kind", equalTo("on-premises"))
                .body("directory", startsWith("ldap://127.0.0.1:"))
                .body("predictions.allow.agrees", notNullValue())
                .body("organization", equalTo(null));
        as(READER).get("/api/v1/tenants/contoso").then().statusCode(200)
                .body("kind", equalTo("exchange-online"))
                .body("groups.name", hasItem("executives"))
                .body("organization.isDehydrated", equalTo(false))
                .body("organization.ewsDecision", oneOf("allowed", "allowed_for_now"))
                .body("organization.ewsDecisionReason", notNullValue())
                .body("roleAssignments.role", hasItem("Application EWS.AccessAsApp"))
                .body("managementScopes.'Sales and Support'", containsString("Department"))
                .body("events", notNullValue());
    }

    @Test
    void blackboxProbeAnswersInThePrometheusFormat() {
        String body = as(CHECKER).header("X-Prometheus-Scrape-Timeout-Seconds", "10")
                .queryParam("tenant", "contoso").queryParam("mailbox", ALLOWED).get("/probe")
                .then().statusCode(200).contentType(containsString("text/plain")).extract().asString();
        assertTrue(body.contains("\nprobe_success 1\n"), body);
        assertTrue(body.contains("probe_impersonation_outcome{outcome=\"ok\",verdict=\"allowed\",expect=\"allow\",probe=\"ews\"} 1"), body);
        assertTrue(body.matches("(?s).*\nprobe_duration_seconds [0-9.]+\n.*"), body);
        String leak = as(CHECKER).queryParam("tenant", "contoso").queryParam("mailbox", LEAK).get("/probe")
                .then().statusCode(200).extract().asString();
        assertTrue(leak.contains("\nprobe_success 0\n"), leak);
        String debug = as(CHECKER).queryParam("tenant", "contoso").queryParam("mailbox", LEAK)
                .queryParam("debug", true).get("/probe").then().statusCode(200).extract().asString();
        assertTrue(debug.contains("[OK     ] ews-response"), debug);
        as(CHECKER).header("X-Prometheus-Scrape-Timeout-Seconds", "soon").queryParam("tenant", "contoso")
                .queryParam("mailbox", ALLOWED).get("/probe").then().statusCode(400)
                .contentType(Problem.MEDIA_TYPE).body("type", equalTo("urn:impersonation-probe:problem:invalid-timeout"));
    }

    @Test
    void scrapeTimeoutBoundsTheProbe() {
        // 1.2 s from Prometheus leaves 0.7 s, raised to the 1 s floor: a 3 s EWS delay times out.
        simulator.tenant().setFaults(Faults.none().withEwsLatency(3000));
        Instant started = Instant.now();
        String body = as(CHECKER).header("X-Prometheus-Scrape-Timeout-Seconds", "1.2").queryParam("tenant", "contoso")
                .queryParam("mailbox", ALLOWED).get("/probe").then().statusCode(200).extract().asString();
        Duration took = Duration.between(started, Instant.now());
        assertTrue(body.contains("\nprobe_success 0\n"), body);
        assertTrue(body.contains("outcome=\"timeout\""), body);
        assertTrue(took.compareTo(Duration.ofMillis(2900)) < 0, "the probe stopped at its deadline, took " + took);
    }

    @Test
    void unauthenticatedCallsGet401WithAProblem() {
        for (Response response : List.of(
                RestAssured.given().contentType(ContentType.JSON).body("{}").post("/api/v1/checks"),
                RestAssured.get("/api/v1/targets"),
                RestAssured.get("/api/v1/targets/executives/" + LEAK),
                RestAssured.get("/api/v1/tenants"),
                RestAssured.get("/api/v1/tenants/contoso"),
                RestAssured.given().queryParam("tenant", "contoso").queryParam("mailbox", ALLOWED).get("/probe"),
                as("not-a-key").get("/api/v1/targets"),
                RestAssured.given().header("X-API-Key", "test-reader-keyX").get("/api/v1/targets"))) {
            response.then().statusCode(401).contentType(Problem.MEDIA_TYPE)
                    .header("WWW-Authenticate", startsWith("Bearer"))
                    .body("status", equalTo(401)).body("title", notNullValue());
        }
        // The X-API-Key header works as well as Authorization.
        RestAssured.given().header("X-API-Key", READER).get("/api/v1/tenants").then().statusCode(200);
        // Health and metrics stay open by default; the status page too.
        RestAssured.get("/q/health").then().statusCode(200);
        RestAssured.get("/q/metrics").then().statusCode(200);
    }

    @Test
    void wrongRoleGets403() {
        check(READER, "{\"tenant\":\"contoso\",\"mailbox\":\"" + ALLOWED + "\"}").then().statusCode(403)
                .contentType(Problem.MEDIA_TYPE).body("type", equalTo("urn:impersonation-probe:problem:forbidden"));
        as(READER).queryParam("tenant", "contoso").queryParam("mailbox", ALLOWED).get("/probe").then().statusCode(403);
        as(CHECKER).get("/api/v1/targets").then().statusCode(403).contentType(Problem.MEDIA_TYPE);
        as(CHECKER).get("/api/v1/tenants/contoso").then().statusCode(403);
        assertTrue(audit.isEmpty(), "a refused role runs no check");
    }

    @Test
    void malformedInputGets400NamingTheField() {
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("{\"tenant\":\"contoso\",\"mailbox\":\"alex.wilber@contoso.com\\r\\nX-Injected: 1\"}", "invalid-mailbox");
        bad.put("{\"tenant\":\"contoso\",\"mailbox\":\"alex\\nwilber@contoso.com\"}", "invalid-mailbox");
        bad.put("{\"tenant\":\"contoso\",\"mailbox\":\"<t:Mailbox>alex@contoso.com</t:Mailbox>\"}", "invalid-mailbox");
        bad.put("{\"tenant\":\"contoso\",\"mailbox\":\"\\\"alex\\\"@contoso.com\"}", "invalid-mailbox");
        bad.put("{\"tenant\":\"contoso\",\"mailbox\":\"alex]]>&amp;@contoso.com\"}", "invalid-mailbox");
        bad.put("{\"tenant\":\"contoso\",\"mailbox\":\"" + "a".repeat(250) + "@contoso.com\"}", "invalid-mailbox");
        bad.put("{\"tenant\":\"contoso\",\"mailbox\":\"no-at-sign\"}", "invalid-mailbox");
        bad.put("{\"tenant\":\"contoso\"}", "invalid-mailbox");
        bad.put("{\"mailbox\":\"alex.wilber@contoso.com\"}", "invalid-tenant");
        bad.put("{\"tenant\":\"contoso\",\"mailbox\":\"alex.wilber@contoso.com\",\"expect\":\"maybe\"}", "invalid-expect");
        bad.put("{\"tenant\":\"contoso\",\"mailbox\":\"alex.wilber@contoso.com\",\"probe\":\"smtp\"}", "invalid-probe");
        bad.forEach((body, type) -> check(CHECKER, body).then().statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("urn:impersonation-probe:problem:" + type))
                .body("detail", not(containsString("\n")))
                .body("detail", not(containsString("<t:Mailbox>"))));
        check(CHECKER, "{\"tenant\":").then().statusCode(400).contentType(Problem.MEDIA_TYPE);
        check(CHECKER, "[1,2]").then().statusCode(400).contentType(Problem.MEDIA_TYPE);
        as(CHECKER).contentType(ContentType.TEXT).body("tenant=contoso").post("/api/v1/checks").then().statusCode(415)
                .contentType(Problem.MEDIA_TYPE);
        check(CHECKER, "{\"tenant\":\"contoso\",\"mailbox\":\"" + "x".repeat(20_000) + "@contoso.com\"}").then()
                .statusCode(413).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("urn:impersonation-probe:problem:body-too-large"));
        as(READER).queryParam("state", "sideways").get("/api/v1/targets").then().statusCode(400)
                .body("type", equalTo("urn:impersonation-probe:problem:invalid-filter"));
        as(READER).queryParam("size", 100_000).get("/api/v1/targets").then().statusCode(400);
        as(READER).queryParam("page", 0).get("/api/v1/targets").then().statusCode(400);
        as(READER).queryParam("outcome", "nope").get("/api/v1/targets").then().statusCode(400);
        as(CHECKER).queryParam("tenant", "contoso").queryParam("mailbox", "a\r\nb@contoso.com").get("/probe").then()
                .statusCode(400).contentType(Problem.MEDIA_TYPE);
        assertTrue(audit.isEmpty(), "nothing invalid was probed");
    }

    @Test
    void unknownTenantOrTargetGets404() {
        check(CHECKER, "{\"tenant\":\"northwind\",\"mailbox\":\"alex.wilber@contoso.com\"}").then().statusCode(404)
                .contentType(Problem.MEDIA_TYPE).body("type", equalTo("urn:impersonation-probe:problem:unknown-tenant"));
        as(READER).get("/api/v1/tenants/northwind").then().statusCode(404).contentType(Problem.MEDIA_TYPE);
        as(READER).get("/api/v1/targets/executives/nobody@contoso.com").then().statusCode(404);
        as(READER).queryParam("tenant", "northwind").get("/api/v1/targets").then().statusCode(404);
        as(CHECKER).queryParam("tenant", "northwind").queryParam("mailbox", ALLOWED).get("/probe").then().statusCode(404);
        as(READER).get("/api/v1/nothing-here").then().statusCode(404);
    }

    @Test
    void checksAreLimitedToConfiguredTargets() {
        // A well-formed address that is not a configured target is refused the same way whether it exists or not.
        for (String mailbox : List.of("adele.vance@contoso.com", "nobody@contoso.com", "ceo@fabrikam.com")) {
            check(CHECKER, "{\"tenant\":\"contoso\",\"mailbox\":\"" + mailbox + "\"}").then().statusCode(403)
                    .contentType(Problem.MEDIA_TYPE)
                    .body("type", equalTo("urn:impersonation-probe:problem:mailbox-not-allowed"))
                    .body("detail", not(containsString(mailbox)));
        }
    }

    @Test
    void rateLimitAnswers429WithRetryAfter() {
        List<Integer> statuses = new ArrayList<>();
        Response refused = null;
        for (int i = 0; i < 12 && refused == null; i++) {
            Response response = check("test-limited-key", "{\"tenant\":\"contoso\",\"mailbox\":\"" + ALLOWED + "\"}");
            statuses.add(response.statusCode());
            if (response.statusCode() == 429) {
                refused = response;
            }
        }
        assertEquals(List.of(200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 429), statuses);
        refused.then().contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("urn:impersonation-probe:problem:rate-limited"));
        int retryAfter = Integer.parseInt(refused.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
        // Another caller keeps its own budget.
        check(CHECKER, "{\"tenant\":\"contoso\",\"mailbox\":\"" + ALLOWED + "\"}").then().statusCode(200);
        assertTrue(audit.stream().anyMatch(r -> new java.util.logging.SimpleFormatter().formatMessage(r)
                .contains("live-check refused caller=limited")), "the refusal is audited");
    }

    @Test
    void openApiDescribesTheApi() {
        String openapi = RestAssured.get("/q/openapi").then().statusCode(200).extract().asString();
        for (String path : List.of("/api/v1/checks", "/api/v1/targets", "/api/v1/targets/{group}/{mailbox}",
                "/api/v1/tenants", "/api/v1/tenants/{id}", "/probe")) {
            assertTrue(openapi.contains(path + ":"), path);
        }
        RestAssured.get("/q/swagger-ui/").then().statusCode(200);
    }
}
