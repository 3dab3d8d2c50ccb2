package io.impersonationprobe.probe;

import io.impersonationprobe.target.ProbeKind;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.control.ControlPlanePoller;
import io.impersonationprobe.simulator.DemoTenant;
import io.impersonationprobe.simulator.EwsSchema;
import io.impersonationprobe.simulator.Roles;
import io.impersonationprobe.simulator.Simulator;
import io.impersonationprobe.testing.Await;
import io.impersonationprobe.testing.Daemon;
import io.impersonationprobe.testing.FreshDemo;
import io.impersonationprobe.testing.Http;
import io.impersonationprobe.testing.Metrics;
import io.impersonationprobe.testing.Promtool;
import io.impersonationprobe.testing.ReferenceFiles;
import io.impersonationprobe.testing.SimulatorResource;
import io.impersonationprobe.testing.SimulatorResource.InjectSimulator;
import io.impersonationprobe.testing.Xml;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole loop on the real libraries: the scheduler runs the EWS probe, ews-java-api sends real SOAP over HTTP to
 * the simulated tenant, msal4j gets the token from the simulator's token endpoint, Micrometer publishes the results
 * at {@code /q/metrics}, and the real promtool lints them. Runs against the demo tenant (test profile: 5 s
 * intervals, no propagation delay), which each test restores first. No test of this application makes the daemon's
 * token invalid (the scenario tests move the clock, in an application of their own), so one token serves them all.
 */
@QuarkusTest
@WithTestResource(value = SimulatorResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ScheduledProbeEndToEndTest {
    static final List<String> ALLOW = List.of("alex.wilber@contoso.com", "megan.bowen@contoso.com",
            "lynne.robbins@contoso.com", "diego.siciliani@contoso.com", "support@contoso.com");
    static final ObjectMapper JSON = new ObjectMapper();

    @InjectSimulator
    Simulator simulator;

    @Inject
    ResultStore store;

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
    void reachableMailboxesAreAllowed() throws Exception {
        Metrics metrics = Metrics.scrape(Daemon.url());
        for (String mailbox : ALLOW) {
            ProbeResult result = last("sales-and-support/" + mailbox);
            assertEquals(Outcome.OK, result.outcome(), mailbox + ": " + result.detail());
            assertEquals(Verdict.ALLOWED, result.verdict());
            assertEquals("NoError", result.responseCode());
            assertEquals(200, result.httpStatus());
            assertTrue(result.success());
            String[] labels = {"tenant", "contoso", "group", "sales-and-support", "mailbox", mailbox, "probe", "ews"};
            assertEquals(1.0, metrics.value("impersonation_probe_success", labels).orElseThrow(), mailbox);
            assertEquals(1.0, metrics.value("impersonation_probe_access_granted", labels).orElseThrow(), mailbox);
            double lastRun = metrics.value("impersonation_probe_last_run_timestamp_seconds", labels).orElseThrow();
            double lastSuccess = metrics.value("impersonation_probe_last_success_timestamp_seconds", labels).orElseThrow();
            assertTrue(lastSuccess >= lastRun, "a success ends after its run started");
            assertTrue(Math.abs(lastRun - Instant.now().getEpochSecond()) < 60, "last run is recent");
        }
        assertEquals(5.0, metrics.value("impersonation_targets", "group", "sales-and-support", "state", "ok").orElseThrow());
        assertEquals(0.0, metrics.value("impersonation_targets", "group", "sales-and-support", "state", "failing").orElseThrow());
        assertEquals(0.0, metrics.value("impersonation_targets", "group", "sales-and-support", "state", "unknown").orElseThrow());
        assertTrue(metrics.value("impersonation_probes_total", "group", "sales-and-support", "outcome", "ok").orElseThrow() >= 5);
        assertTrue(metrics.value("impersonation_probe_duration_seconds_count", "group", "sales-and-support", "outcome", "ok")
                .orElseThrow() >= 5);
    }

    @Test
    void executivesAreDeniedAndTheScopeLeakIsCaught() throws Exception {
        Metrics metrics = Metrics.scrape(Daemon.url());
        for (String mailbox : List.of("patti.fernandez@contoso.com", "isaiah.langer@contoso.com")) {
            ProbeResult result = last("executives/" + mailbox);
            assertEquals(Outcome.IMPERSONATION_DENIED, result.outcome(), mailbox + ": " + result.detail());
            assertEquals(Verdict.DENIED, result.verdict());
            assertEquals("ErrorImpersonateUserDenied", result.responseCode());
            assertEquals(500, result.httpStatus());
            assertTrue(result.remediation().contains("Application EWS.AccessAsApp"), "Exchange Online advice");
            String[] labels = {"group", "executives", "mailbox", mailbox};
            assertEquals(1.0, metrics.value("impersonation_probe_success", labels).orElseThrow(), mailbox);
            assertEquals(0.0, metrics.value("impersonation_probe_access_granted", labels).orElseThrow(), mailbox);
        }
        // The VP of Sales is in the Sales department, so the scope covers him: reachable, and that is a failure.
        ProbeResult leak = last("executives/nestor.wilke@contoso.com");
        assertEquals(Verdict.ALLOWED, leak.verdict());
        assertFalse(leak.success());
        String[] leakLabels = {"group", "executives", "mailbox", "nestor.wilke@contoso.com"};
        assertEquals(0.0, metrics.value("impersonation_probe_success", leakLabels).orElseThrow());
        assertEquals(1.0, metrics.value("impersonation_probe_access_granted", leakLabels).orElseThrow());
        assertEquals(2.0, metrics.value("impersonation_targets", "group", "executives", "state", "ok").orElseThrow());
        assertEquals(1.0, metrics.value("impersonation_targets", "group", "executives", "state", "failing").orElseThrow());
    }

    @Test
    void aNonexistentMailboxIsNotFoundAndNeverCountsAsDenied() throws Exception {
        ProbeResult result = last("departed/former.employee@contoso.com");
        assertEquals(Outcome.MAILBOX_NOT_FOUND, result.outcome(), result.detail());
        assertEquals(Verdict.ERROR, result.verdict());
        assertEquals("ErrorNonExistentMailbox", result.responseCode());
        assertEquals(500, result.httpStatus());
        Metrics metrics = Metrics.scrape(Daemon.url());
        assertEquals(0.0, metrics.value("impersonation_probe_success", "group", "departed").orElseThrow());
        assertTrue(metrics.value("impersonation_probe_last_success_timestamp_seconds", "group", "departed").isEmpty(),
                "a target that never met its expectation has no last-success series");
        assertTrue(metrics.value("impersonation_probes_total", "group", "departed", "outcome", "mailbox_not_found")
                .orElseThrow() >= 1);
    }

    @Test
    void requestsCarryImpersonationAnchorAndOneReusedToken() throws Exception {
        JsonNode stats = state().get("stats");
        assertTrue(stats.get("ewsRequests").asLong() >= 9, stats.toString());
        assertEquals(0, stats.get("missingAnchorHeader").asLong(), "every request carries X-AnchorMailbox");
        assertEquals(0, stats.get("anchorMismatch").asLong(), "X-AnchorMailbox names the impersonated mailbox");
        Metrics metrics = Metrics.scrape(Daemon.url());
        assertEquals(1.0, metrics.find("impersonation_token_requests_total", "tenant", "contoso").stream()
                        .mapToDouble(Metrics.Sample::value).sum(),
                "one token request in all (every result's series is there from the start) serves every probe until "
                        + "the token nears expiry");
        assertEquals(1.0, metrics.value("impersonation_token_requests_total", "tenant", "contoso", "result", "success")
                .orElseThrow());
        // The token was fetched after this JVM started and before now, and the simulator issues one-hour tokens.
        double expiry = metrics.value("impersonation_token_expiry_timestamp_seconds", "tenant", "contoso").orElseThrow();
        Instant jvmStart = ProcessHandle.current().info().startInstant().orElseThrow();
        assertTrue(expiry >= jvmStart.plus(Duration.ofHours(1)).getEpochSecond() - 1
                        && expiry <= Instant.now().plus(Duration.ofHours(1)).getEpochSecond() + 1,
                "a one-hour token: expires " + Instant.ofEpochSecond((long) expiry));
        assertEquals(1.0, metrics.value("impersonation_token_acquisition_duration_seconds_count", "tenant", "contoso")
                .orElseThrow());
        for (JsonNode request : JSON.readTree(Http.get(simulator.baseUrl() + "/control/ews-requests").body())) {
            JsonNode headers = request.get("headers");
            assertEquals("Bearer (redacted)", header(headers, "Authorization"));
            assertEquals(io.impersonationprobe.probe.UserAgent.EWS, header(headers, "User-Agent"),
                    "the user agent the control plane checks access policies against is the one sent");
            Document body = Xml.parse(request.get("body").asText());
            String smtp = body.getElementsByTagNameNS("http://schemas.microsoft.com/exchange/services/2006/types",
                    "SmtpAddress").item(0).getTextContent();
            assertEquals(smtp, header(headers, "X-AnchorMailbox"));
            Element shape = (Element) body.getElementsByTagNameNS(
                    "http://schemas.microsoft.com/exchange/services/2006/types", "BaseShape").item(0);
            assertEquals("IdOnly", shape.getTextContent(), "the probe asks for the folder ID only");
            assertEquals(1, body.getElementsByTagNameNS("http://schemas.microsoft.com/exchange/services/2006/messages",
                    "GetFolder").getLength(), "the probe only ever sends GetFolder");
        }
    }

    @Test
    void probeRequestsValidateAgainstTheEwsSchema() throws Exception {
        EwsSchema schema = EwsSchema.load(ReferenceFiles.requireEws().resolve("schema"));
        JsonNode requests = JSON.readTree(Http.get(simulator.baseUrl() + "/control/ews-requests").body());
        assertTrue(requests.size() > 0);
        for (JsonNode request : requests) {
            Element envelope = Xml.parse(request.get("body").asText()).getDocumentElement();
            List<Element> header = Xml.children(Xml.child(envelope, "Header"));
            assertTrue(header.stream().anyMatch(e -> e.getLocalName().equals("ExchangeImpersonation")));
            for (Element entry : header) {
                schema.validate(entry);
            }
            schema.validate(Xml.children(Xml.child(envelope, "Body")).get(0));
        }
    }

    @Test
    void liveMetricsPassPromtool() throws Exception {
        Promtool.require();
        Promtool.Result result = Promtool.run(Metrics.scrape(Daemon.url()).text(), "check", "metrics");
        assertEquals("", result.output().strip(), "promtool findings");
        assertEquals(0, result.exitCode());
    }

    @Test
    void healthReportsSchedulerAndFirstCycle() throws Exception {
        JsonNode live = JSON.readTree(Http.get(Daemon.url() + "/q/health/live").body());
        assertEquals("UP", live.get("status").asText());
        JsonNode ready = JSON.readTree(Http.get(Daemon.url() + "/q/health/ready").body());
        assertEquals("UP", ready.get("status").asText(), ready.toString());
        assertTrue(ready.toString().contains("group executives cycles"));
    }

    @Test
    void removingTheRoleAssignmentFlipsTheAllowGroupOnTheNextCycle() throws Exception {
        String assignment = URLEncoder.encode(DemoTenant.ASSIGNMENT, StandardCharsets.UTF_8).replace("+", "%20");
        Instant removed = Instant.now();
        assertEquals(204, Http.send("DELETE", simulator.baseUrl() + "/control/role-assignments/" + assignment, null)
                .statusCode());
        waitForCycleAfter(removed, "sales-and-support/alex.wilber@contoso.com", "executives/nestor.wilke@contoso.com");
        for (String mailbox : ALLOW) {
            waitForCycleAfter(removed, "sales-and-support/" + mailbox);
            ProbeResult result = last("sales-and-support/" + mailbox);
            assertEquals(Outcome.IMPERSONATION_DENIED, result.outcome(), mailbox);
            assertFalse(result.success());
        }
        Metrics metrics = Metrics.scrape(Daemon.url());
        for (String mailbox : ALLOW) {
            assertEquals(0.0, metrics.value("impersonation_probe_success", "group", "sales-and-support",
                    "mailbox", mailbox).orElseThrow(), mailbox);
        }
        assertEquals(5.0, metrics.value("impersonation_targets", "group", "sales-and-support", "state", "failing")
                .orElseThrow());
        // With no assignment left, the leak closes too.
        assertEquals(1.0, metrics.value("impersonation_probe_success", "group", "executives",
                "mailbox", "nestor.wilke@contoso.com").orElseThrow());

        Instant restored = Instant.now();
        String body = JSON.writeValueAsString(Map.of("name", DemoTenant.ASSIGNMENT, "role", Roles.EWS_ACCESS_AS_APP,
                "app", DemoTenant.APP_ID, "scope", DemoTenant.SCOPE));
        assertEquals(201, Http.send("POST", simulator.baseUrl() + "/control/role-assignments", body).statusCode());
        waitForCycleAfter(restored, "sales-and-support/alex.wilber@contoso.com");
        assertEquals(Outcome.OK, last("sales-and-support/alex.wilber@contoso.com").outcome(), "granted again");
    }

    private ProbeResult last(String targetId) {
        TargetStatus status = store.status(ProbeKind.EWS, targetId);
        assertNotNull(status, "no target " + targetId);
        assertNotNull(status.last(), "not probed yet: " + targetId);
        return status.last();
    }

    private void waitForCycleAfter(Instant instant, String... targetIds) {
        for (String id : targetIds) {
            Await.until(Duration.ofSeconds(20), "a probe of " + id + " after " + instant,
                    () -> store.status(ProbeKind.EWS, id).last().startedAt().isAfter(instant));
        }
    }

    private JsonNode state() throws Exception {
        return JSON.readTree(Http.get(simulator.baseUrl() + "/control/state").body());
    }

    private static String header(JsonNode headers, String name) {
        var fields = headers.fields();
        while (fields.hasNext()) {
            var field = fields.next();
            if (field.getKey().equalsIgnoreCase(name)) {
                return field.getValue().asText();
            }
        }
        return null;
    }

}
