package io.impersonationprobe.probe;

import io.impersonationprobe.target.ProbeKind;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.aad.msal4j.ClientCredentialFactory;
import io.impersonationprobe.auth.AccessToken;
import io.impersonationprobe.auth.MsalTokenSource;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.control.ControlPlaneEvent;
import io.impersonationprobe.control.ControlPlanePoller;
import io.impersonationprobe.control.Propagation;
import io.impersonationprobe.simulator.DemoTenant;
import io.impersonationprobe.simulator.Simulator;
import io.impersonationprobe.target.TargetGroup;
import io.impersonationprobe.testing.Await;
import io.impersonationprobe.testing.Canaries;
import io.impersonationprobe.testing.Daemon;
import io.impersonationprobe.testing.Http;
import io.impersonationprobe.testing.Metrics;
import io.impersonationprobe.testing.SimulatorResource.InjectSimulator;
import io.impersonationprobe.testing.TestCertificates;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scenario matrix, end to end (daemon → ews-java-api → HTTP → simulator): every outcome of the catalogue is
 * provoked through the simulated tenant and checked for outcome, verdict, metric values and remediation. Groups are
 * scheduled hourly, so after the startup cycle each cycle here is run on purpose and nothing races it. Each scenario
 * starts from the demo tenant (a reset) and sets up what it needs; counters are compared before and after.
 */
@QuarkusTest
@WithTestResource(ScenarioEnvironment.class)
class ProbeScenarioTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> SCENARIO = List.of("alex.wilber@contoso.com", "megan.bowen@contoso.com",
            "lynne.robbins@contoso.com", "diego.siciliani@contoso.com");

    @InjectSimulator
    Simulator simulator;

    @ScenarioEnvironment.AppCertificate
    X509Certificate appCertificate;

    @Inject
    ProbeScheduler scheduler;

    @Inject
    ProbeRunner runner;

    @Inject
    ResultStore store;

    @Inject
    ValidatedConfig config;

    @Inject
    ControlPlanePoller poller;

    @BeforeEach
    void demoTenant() {
        Await.until(Duration.ofSeconds(60), "the startup cycle of every group",
                () -> RestAssured.get("/q/health/ready").statusCode() == 200);
        Await.until(Duration.ofSeconds(30), "no tenant paused by a back-off", () -> config.tenants().keySet().stream()
                .allMatch(tenant -> runner.pausedUntil(tenant).isBefore(Instant.now())));
        simulator.reset();
        poller.poll("contoso");
    }

    @Test
    void aCertificateNotYetRegisteredIsNamedThenWorksOnceUploaded() throws Exception {
        cycle("cert");
        cycle("pem");
        for (String group : List.of("cert", "pem")) {
            ProbeResult refused = last(group, group.equals("cert") ? "alex.wilber@contoso.com" : "megan.bowen@contoso.com");
            assertEquals(Outcome.TOKEN_FAILED, refused.outcome(), refused.detail());
            assertTrue(refused.detail().contains("AADSTS700027"), refused.detail());
            assertTrue(refused.remediation().contains("certificate is not registered"), refused.remediation());
        }
        Metrics before = metrics();
        double notAfter = appCertificate.getNotAfter().toInstant().getEpochSecond();
        assertEquals(notAfter, before.value("impersonation_client_certificate_expiry_timestamp_seconds", "tenant", "cert")
                .orElseThrow(), 1.0);
        assertEquals(notAfter, before.value("impersonation_client_certificate_expiry_timestamp_seconds", "tenant", "pem")
                .orElseThrow(), 1.0);
        assertTrue(before.value("impersonation_token_requests_total", "tenant", "cert", "result", "invalid_client")
                .orElseThrow() >= 1);

        created(control("POST", "/control/apps/" + DemoTenant.APP_ID + "/certificates",
                JSON.writeValueAsString(Map.of("certificate", TestCertificates.certificatePem(appCertificate)))));
        cycle("cert");
        cycle("pem");
        assertEquals(Outcome.OK, last("cert", "alex.wilber@contoso.com").outcome());
        assertEquals(Outcome.OK, last("pem", "megan.bowen@contoso.com").outcome());
        Metrics after = metrics();
        // This is the only scenario that lets these tenants get a token.
        assertEquals(1.0, after.value("impersonation_token_requests_total", "tenant", "cert", "result", "success").orElseThrow());
        assertEquals(1.0, after.value("impersonation_probe_success", "group", "cert").orElseThrow());
    }

    @Test
    void tokenErrorsAreNamedByTheirAadstsCode() throws Exception {
        cycle("bad-secret");
        cycle("unknown-app");
        ProbeResult badSecret = last("bad-secret", "alex.wilber@contoso.com");
        assertEquals(Outcome.TOKEN_FAILED, badSecret.outcome());
        assertTrue(badSecret.detail().startsWith("HTTP 401, AADSTS7000215"), badSecret.detail());
        assertTrue(badSecret.remediation().startsWith("The client secret is wrong"), badSecret.remediation());
        ProbeResult unknownApp = last("unknown-app", "alex.wilber@contoso.com");
        assertTrue(unknownApp.detail().matches("HTTP 4\\d\\d, AADSTS700016.*"), unknownApp.detail());
        assertTrue(unknownApp.remediation().startsWith("No application with this client ID"), unknownApp.remediation());
        Metrics metrics = metrics();
        assertTrue(metrics.value("impersonation_token_requests_total", "tenant", "bad-secret", "result", "invalid_client")
                .orElseThrow() >= 1);
        assertTrue(metrics.value("impersonation_token_requests_total", "tenant", "unknown-app", "result",
                "unauthorized_client").orElseThrow() >= 1);
        assertEquals(0.0, metrics.value("impersonation_probe_success", "group", "bad-secret").orElseThrow());
    }

    @Test
    void anOnPremisesServiceAccountImpersonatesWithinItsScope() throws Exception {
        cycle("onprem-allow");
        ProbeResult unknown = last("onprem-allow", "alex.wilber@contoso.com");
        assertEquals(Outcome.AUTH_FAILED, unknown.outcome(), unknown.detail());
        assertEquals(401, unknown.httpStatus());
        assertTrue(unknown.remediation().contains("service account"), unknown.remediation());

        addServiceAccount("svc-probe", Canaries.SERVICE_ACCOUNT_PASSWORD, "Probe impersonation");
        cycle("onprem-allow");
        cycle("onprem-deny");
        assertEquals(Outcome.OK, last("onprem-allow", "alex.wilber@contoso.com").outcome());
        ProbeResult denied = last("onprem-deny", "patti.fernandez@contoso.com");
        assertEquals(Outcome.IMPERSONATION_DENIED, denied.outcome());
        assertTrue(denied.success());
        assertTrue(denied.remediation().contains("CustomRecipientWriteScope"), "on-premises advice: " + denied.remediation());
        JsonNode requests = JSON.readTree(control("GET", "/control/ews-requests", null).body());
        assertTrue(requests.toString().contains("\"Basic (redacted)\""), "Basic credentials are redacted in the log");
    }

    @Test
    void anNtlmServiceAccountAuthenticatesOncePerConnection() throws Exception {
        cycle("ntlm-allow");
        ProbeResult unknown = last("ntlm-allow", "alex.wilber@contoso.com");
        assertEquals(Outcome.AUTH_FAILED, unknown.outcome(), "the account does not exist yet: " + unknown.detail());
        addServiceAccount("svc-ntlm", Canaries.NTLM_PASSWORD, "NTLM impersonation");
        long before = stat("ntlmHandshakes");
        cycle("ntlm-allow");
        for (TargetStatus status : store.group("ntlm-allow")) {
            assertEquals(Outcome.OK, status.last().outcome(), status.target().id() + ": " + status.last().detail());
        }
        long handshakes = stat("ntlmHandshakes") - before;
        assertTrue(handshakes >= 1 && handshakes <= 2, "5 probes over at most 2 connections: " + handshakes + " handshakes");
        cycle("ntlm-allow");
        assertEquals(handshakes, stat("ntlmHandshakes") - before, "pooled connections stay authenticated");
        cycle("ntlm-deny");
        assertEquals(Outcome.IMPERSONATION_DENIED, last("ntlm-deny", "patti.fernandez@contoso.com").outcome());
    }

    @Test
    void tlsIsVerifiedAndATrustStoreOpensAnInternalCa() throws Exception {
        cycle("tls-untrusted");
        cycle("tls-trusted");
        ProbeResult untrusted = last("tls-untrusted", "alex.wilber@contoso.com");
        assertEquals(Outcome.TLS_FAILURE, untrusted.outcome(), untrusted.detail());
        assertTrue(untrusted.detail().contains("PKIX"), "the certificate path failed: " + untrusted.detail());
        assertTrue(untrusted.remediation().contains("tls.trust-store"), untrusted.remediation());
        ProbeResult trusted = last("tls-trusted", "alex.wilber@contoso.com");
        assertEquals(Outcome.OK, trusted.outcome(), trusted.detail());
    }

    @Test
    void everyEwsErrorCodeGetsItsOutcome() throws Exception {
        // The verdicts the transient outcomes keep: reachable for the allow group, refused for the deny group.
        cycle("scenario");
        cycle("scenario-deny");
        double movingBefore = metrics().value("impersonation_probes_total", "group", "scenario", "outcome",
                "mailbox_moving").orElse(0);
        matrix(Map.of("alex.wilber@contoso.com", "ErrorMailboxMoveInProgress",
                        "megan.bowen@contoso.com", "ErrorMailboxStoreUnavailable",
                        "lynne.robbins@contoso.com", "ErrorInvalidLicense",
                        "diego.siciliani@contoso.com", "ErrorOrganizationAccessBlocked",
                        "patti.fernandez@contoso.com", "ErrorAccessDenied",
                        "isaiah.langer@contoso.com", "ErrorImpersonationDenied"),
                Map.of("alex.wilber@contoso.com", Outcome.MAILBOX_MOVING,
                        "megan.bowen@contoso.com", Outcome.MAILBOX_STORE_UNAVAILABLE,
                        "lynne.robbins@contoso.com", Outcome.LICENSE_INVALID,
                        "diego.siciliani@contoso.com", Outcome.ORGANIZATION_BLOCKED,
                        "patti.fernandez@contoso.com", Outcome.ACCESS_DENIED,
                        "isaiah.langer@contoso.com", Outcome.IMPERSONATION_DENIED));
        Metrics metrics = metrics();
        // Transient outcomes keep the last definite verdict; definite errors fail; refusals pass for deny targets.
        assertEquals(1.0, successOf(metrics, "scenario", "alex.wilber@contoso.com"), "a mailbox move is transient");
        assertEquals(1.0, successOf(metrics, "scenario", "megan.bowen@contoso.com"), "a store failover is transient");
        assertEquals(0.0, successOf(metrics, "scenario", "lynne.robbins@contoso.com"));
        assertEquals(0.0, successOf(metrics, "scenario", "diego.siciliani@contoso.com"));
        assertEquals(1.0, successOf(metrics, "scenario-deny", "patti.fernandez@contoso.com"));
        assertEquals(1.0, successOf(metrics, "scenario-deny", "isaiah.langer@contoso.com"));
        assertEquals(1.0, metrics.value("impersonation_probes_total", "group", "scenario", "outcome", "mailbox_moving")
                .orElseThrow() - movingBefore);
        assertEquals(2.0, metrics.value("impersonation_targets", "group", "scenario", "state", "failing").orElseThrow());

        matrix(Map.of("alex.wilber@contoso.com", "ErrorImpersonationFailed",
                        "megan.bowen@contoso.com", "ErrorConnectionFailed",
                        "lynne.robbins@contoso.com", "ErrorNoRespondingCASInDestinationSite",
                        "diego.siciliani@contoso.com", "ErrorInternalServerError"),
                Map.of("alex.wilber@contoso.com", Outcome.UNAVAILABLE, "megan.bowen@contoso.com", Outcome.UNAVAILABLE,
                        "lynne.robbins@contoso.com", Outcome.UNAVAILABLE, "diego.siciliani@contoso.com", Outcome.UNAVAILABLE));
        matrix(Map.of("alex.wilber@contoso.com", "ErrorExceededConnectionCount",
                        "megan.bowen@contoso.com", "ErrorInvalidExchangeImpersonationHeaderData",
                        "lynne.robbins@contoso.com", "ErrorNonExistentMailbox",
                        "diego.siciliani@contoso.com", "ErrorIntroducedIn2031"),
                Map.of("alex.wilber@contoso.com", Outcome.THROTTLED,
                        "megan.bowen@contoso.com", Outcome.IMPERSONATION_HEADER_INVALID,
                        "lynne.robbins@contoso.com", Outcome.MAILBOX_NOT_FOUND,
                        "diego.siciliani@contoso.com", Outcome.UNKNOWN_ERROR));
        assertEquals("ErrorIntroducedIn2031", last("scenario", "diego.siciliani@contoso.com").responseCode(),
                "a code ews-java-api does not know is kept from the raw answer");
        assertEquals(0.0, successOf(metrics(), "scenario", "alex.wilber@contoso.com"),
                "throttling keeps the last definite verdict, here UNAVAILABLE");

        control("DELETE", "/control/faults", null);
        cycle("scenario");
        for (String mailbox : SCENARIO) {
            assertEquals(Outcome.OK, last("scenario", mailbox).outcome(), mailbox);
        }
    }

    @Test
    void answersThatAreNotEwsAreNeverAccess() throws Exception {
        Map<Integer, Outcome> expected = Map.of(404, Outcome.ENDPOINT_NOT_FOUND, 500, Outcome.UNAVAILABLE,
                200, Outcome.INVALID_RESPONSE);
        for (var entry : expected.entrySet()) {
            faults(Map.of("rawAnswer", Map.of("status", entry.getKey(), "contentType", "text/html; charset=utf-8",
                    "body", "<html><body>Sign in to continue</body></html>")));
            cycle("scenario");
            ProbeResult result = last("scenario", "alex.wilber@contoso.com");
            assertEquals(entry.getValue(), result.outcome(), "HTTP " + entry.getKey() + ": " + result.detail());
            assertEquals(entry.getKey(), result.httpStatus());
            assertRemediation(result);
        }
    }

    @Test
    void ewsSwitchedOffForTheOrgOrTheAppIsNamed() throws Exception {
        // Since 2026-10-10 the allow list counts only with EwsEnabled True; under $null Exchange ignores it.
        for (Map<String, Object> org : List.<Map<String, Object>>of(Map.of("ewsEnabled", false), Map.of("ewsEnabled",
                true, "ewsAllowedAppIds", List.of("11111111-2222-3333-4444-555555555555")))) {
            assertEquals(200, control("PUT", "/control/org", JSON.writeValueAsString(org)).statusCode());
            // The advice names the gate from what the daemon last read of the organisation: it reads it first.
            poller.poll("contoso");
            cycle("scenario");
            ProbeResult blocked = last("scenario", "alex.wilber@contoso.com");
            // Exchange names the gate in X-EWS-Policy-Reason: disabled for EwsEnabled, blocked by policy for the list.
            assertEquals(org.containsKey("ewsAllowedAppIds") ? Outcome.EWS_BLOCKED : Outcome.EWS_DISABLED, blocked.outcome(),
                    org + ": " + blocked.detail());
            assertEquals(403, blocked.httpStatus());
            assertTrue(blocked.remediation().contains("EwsAllowedAppIDs"), blocked.remediation());
            // Back to a tenant as Exchange creates it: EwsEnabled $null (True with no list would block all EWS).
            control("PUT", "/control/org", "{\"ewsEnabled\":null,\"ewsAllowedAppIds\":null}");
            poller.poll("contoso");
        }
        assertEquals(200, control("PUT", "/control/org", "{\"isDehydrated\":true}").statusCode());
        HttpResponse<String> refused = control("POST", "/control/role-assignments", JSON.writeValueAsString(Map.of(
                "name", "while dehydrated", "role", "Application EWS.AccessAsApp", "app", DemoTenant.APP_ID)));
        assertEquals(409, refused.statusCode());
        assertTrue(refused.body().contains("Enable-OrganizationCustomization"), refused.body());
        control("PUT", "/control/org", "{\"isDehydrated\":false}");
        cycle("scenario");
        assertEquals(Outcome.OK, last("scenario", "alex.wilber@contoso.com").outcome());
    }

    @Test
    void aBackOffPausesOnlyThatTenantForTheAdvertisedTime() throws Exception {
        cycle("throttle");
        Metrics before = metrics();
        faults(Map.of("serviceUnavailableRetryAfterSeconds", 2));
        cycle("throttle");
        ProbeResult throttled = last("throttle", "support@contoso.com");
        assertEquals(Outcome.THROTTLED, throttled.outcome(), throttled.detail());
        assertEquals(Duration.ofSeconds(2), throttled.backOff());
        assertEquals(1.0, successOf(metrics(), "throttle", "support@contoso.com"), "throttling is transient");
        control("DELETE", "/control/faults", null);

        Instant start = Instant.now();
        CompletableFuture<Void> paused = scheduler.runCycle(group("throttle"));
        cycle("bystander");
        Duration otherTenant = Duration.between(start, Instant.now());
        paused.get(30, TimeUnit.SECONDS);
        Duration pausedTenant = Duration.between(start, Instant.now());
        assertTrue(otherTenant.compareTo(Duration.ofMillis(1500)) < 0, "another tenant goes on: " + otherTenant);
        assertEquals(Outcome.OK, last("bystander", "alex.wilber@contoso.com").outcome(), "and gets its answers");
        assertTrue(pausedTenant.compareTo(Duration.ofMillis(1500)) >= 0, "the tenant waited: " + pausedTenant);
        assertEquals(Outcome.OK, last("throttle", "support@contoso.com").outcome());
        Metrics after = metrics();
        assertEquals(1.0, after.value("impersonation_throttled_total", "tenant", "contoso").orElseThrow()
                - before.value("impersonation_throttled_total", "tenant", "contoso").orElse(0));
        assertTrue(after.value("impersonation_backoff_seconds_total", "tenant", "contoso").orElseThrow()
                - before.value("impersonation_backoff_seconds_total", "tenant", "contoso").orElse(0) >= 1.9);
    }

    @Test
    void overTheConcurrencyBudgetExchangeIsBusyAndTheDaemonBacksOff() throws Exception {
        cycle("scenario");
        faults(Map.of("concurrencyBudget", 1, "ewsLatencyMs", 300, "serverBusyBackOffMs", 1000));
        cycle("scenario");
        List<ProbeResult> busy = new ArrayList<>();
        for (String mailbox : SCENARIO) {
            ProbeResult result = last("scenario", mailbox);
            if (result.outcome() == Outcome.THROTTLED) {
                busy.add(result);
            } else {
                assertEquals(Outcome.OK, result.outcome(), mailbox);
            }
        }
        assertFalse(busy.isEmpty(), "four probes at once against a budget of one");
        assertTrue(busy.get(0).detail().contains("ErrorServerBusy") && busy.get(0).detail().contains("back off 1000 ms"),
                busy.get(0).detail());
        assertEquals(Duration.ofSeconds(1), busy.get(0).backOff());
        Metrics metrics = metrics();
        for (String mailbox : SCENARIO) {
            assertEquals(1.0, successOf(metrics, "scenario", mailbox), "server busy leaves the verdict as it was");
        }
    }

    @Test
    void aCycleOf200MailboxesReusesAtMostConcurrencyPlusTwoConnections() throws Exception {
        cycle("scenario");
        assertEquals(Outcome.OK, last("scenario", "alex.wilber@contoso.com").outcome(), "a token in hand");
        for (int i = 1; i <= 200; i++) {
            created(control("POST", "/control/mailboxes", String.format(
                    "{\"smtp\":\"bulk-%03d@contoso.com\",\"department\":\"Sales\"}", i)));
        }
        JsonNode before = JSON.readTree(control("GET", "/control/stats", null).body());
        cycle("bulk");
        JsonNode after = JSON.readTree(control("GET", "/control/stats", null).body());
        assertEquals(200, store.countByState("bulk", ProbeKind.EWS).get(TargetState.OK));
        assertEquals(200, after.get("ewsRequests").asLong() - before.get("ewsRequests").asLong());
        long opened = after.get("connectionsAccepted").asLong() - before.get("connectionsAccepted").asLong();
        int concurrency = config.tenants().get("contoso").config().concurrency();
        System.out.printf("bulk cycle: 200 probes at concurrency %d opened %d connections%n", concurrency, opened);
        assertTrue(opened <= concurrency + 2, opened + " connections for 200 probes");
        assertEquals(0, after.get("tokenRequests").asLong() - before.get("tokenRequests").asLong(),
                "the cached token serves the whole cycle");
    }

    @Test
    void concurrentColdStartsSendExactlyOneTokenRequest() throws Exception {
        var tenant = config.tenants().get("contoso");
        MsalTokenSource cold = new MsalTokenSource("single-flight", tenant.config().auth(),
                ClientCredentialFactory.createFromSecret(tenant.secret().reveal()), SSLContext.getDefault(),
                Clock.systemUTC(), Duration.ofSeconds(5), (t, result, took, expiry) -> { });
        long before = stat("tokenRequests");
        int callers = 32;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<AccessToken>> tokens = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            tokens.add(pool.submit(() -> {
                start.await();
                return cold.token(Instant.now().plusSeconds(30));
            }));
        }
        start.countDown();
        Set<String> values = new HashSet<>();
        for (Future<AccessToken> token : tokens) {
            values.add(token.get(30, TimeUnit.SECONDS).value());
        }
        pool.shutdown();
        assertEquals(1, stat("tokenRequests") - before, callers + " concurrent cold callers, one token request");
        assertEquals(1, values.size(), "all callers got the same token");
    }

    @Test
    void aTokenTheTenantNoLongerAcceptsIsReplacedOnTheNextCycle() throws Exception {
        List<String> mailboxes = group("token-refresh").targets().stream().map(t -> t.mailbox()).toList();
        cycle("token-refresh");
        assertEquals(Outcome.OK, last("token-refresh", "alex.wilber@contoso.com").outcome(), "a token in hand");
        double before = metrics().value("impersonation_token_requests_total", "tenant", "token-refresh", "result",
                "success").orElseThrow();
        // Two hours on, the daemon's one-hour token has expired in the simulated tenant's eyes.
        assertEquals(200, control("POST", "/control/clock", "{\"advance\":\"PT2H\"}").statusCode());
        cycle("token-refresh");
        List<ProbeResult> refused = mailboxes.stream().map(m -> last("token-refresh", m))
                .filter(r -> r.outcome() != Outcome.OK).toList();
        assertFalse(refused.isEmpty(), "the expired token was sent and refused");
        for (ProbeResult result : refused) {
            assertEquals(Outcome.AUTH_FAILED, result.outcome(), result.detail());
            assertEquals(401, result.httpStatus());
            assertTrue(result.detail().contains("2000001"), result.detail());
        }
        cycle("token-refresh");
        for (String mailbox : mailboxes) {
            assertEquals(Outcome.OK, last("token-refresh", mailbox).outcome(), "a new token was fetched after the refusal");
        }
        double after = metrics().value("impersonation_token_requests_total", "tenant", "token-refresh", "result",
                "success").orElseThrow();
        assertEquals(before + 1, after, "exactly one new token for the whole tenant");
    }

    @Test
    void theOrganisationStateIsPolledAndExplainsDenials() throws Exception {
        Metrics metrics = metrics();
        assertEquals(0.0, metrics.value("impersonation_org_dehydrated", "tenant", "contoso").orElseThrow());
        // A tenant as Exchange creates it: EwsEnabled $null, EWS allowed until Microsoft switches it off.
        assertTrue(Double.isNaN(metrics.value("impersonation_org_ews_enabled", "tenant", "contoso").orElseThrow()));
        assertEquals(1.0, metrics.value("impersonation_org_ews_enabled_state", "tenant", "contoso", "state", "null")
                .orElseThrow());
        assertEquals(1.0, metrics.value("impersonation_org_ews_app_decision", "tenant", "contoso", "decision",
                "allowed_for_now").orElseThrow());
        assertEquals(1.0, metrics.value("impersonation_org_ews_app_allowed", "tenant", "contoso").orElseThrow());
        assertEquals(1.0, metrics.value("impersonation_admin_poll_success", "tenant", "contoso", "poll",
                "organization_config").orElseThrow());
        assertTrue(metrics.value("impersonation_org_dehydrated", "tenant", "onprem").isEmpty(),
                "on-premises Exchange has no admin API: no control-plane series");

        control("PUT", "/control/org", "{\"isDehydrated\":true}");
        faults(Map.of("responseCodes", Map.of("alex.wilber@contoso.com", "ErrorImpersonateUserDenied")));
        poller.poll("contoso");
        cycle("scenario");
        assertEquals(1.0, metrics().value("impersonation_org_dehydrated", "tenant", "contoso").orElseThrow());
        ProbeResult dehydrated = last("scenario", "alex.wilber@contoso.com");
        assertEquals(Outcome.IMPERSONATION_DENIED, dehydrated.outcome());
        assertTrue(dehydrated.remediation().startsWith("The organisation is dehydrated"), dehydrated.remediation());
        control("PUT", "/control/org", "{\"isDehydrated\":false}");
        control("DELETE", "/control/faults", null);

        control("PUT", "/control/org", "{\"ewsEnabled\":false}");
        poller.poll("contoso");
        cycle("scenario");
        String off = last("scenario", "alex.wilber@contoso.com").remediation();
        assertTrue(off.contains("Exchange decides blocked_ews_disabled") && off.contains("-EwsEnabled $true"), off);
        assertEquals(0.0, metrics().value("impersonation_org_ews_enabled", "tenant", "contoso").orElseThrow());
        control("PUT", "/control/org", "{\"ewsEnabled\":true,\"ewsAllowedAppIds\":[\"someone-else\"]}");
        poller.poll("contoso");
        cycle("scenario");
        String unlisted = last("scenario", "alex.wilber@contoso.com").remediation();
        assertTrue(unlisted.contains("Exchange decides blocked_not_in_allow_list") && unlisted.contains(
                "-EwsAllowedAppIDs \"someone-else," + DemoTenant.APP_ID + "\""), unlisted);
        Metrics gated = metrics();
        assertEquals(1.0, gated.value("impersonation_org_ews_enabled", "tenant", "contoso").orElseThrow());
        assertEquals(0.0, gated.value("impersonation_org_ews_app_allowed", "tenant", "contoso").orElseThrow());
        control("PUT", "/control/org", "{\"ewsEnabled\":null,\"ewsAllowedAppIds\":null}");

        // An EWS application access policy that only admits Outlook blocks the probe by its user agent.
        control("PUT", "/control/org", "{\"ewsApplicationAccessPolicy\":\"EnforceAllowList\",\"ewsAllowList\":[\"Outlook*\"]}");
        poller.poll("contoso");
        cycle("scenario");
        assertEquals(0.0, metrics().value("impersonation_org_ews_app_allowed", "tenant", "contoso").orElseThrow());
        ProbeResult policy = last("scenario", "alex.wilber@contoso.com");
        assertEquals(Outcome.EWS_BLOCKED, policy.outcome());
        assertTrue(policy.remediation().contains("Exchange decides blocked_user_agent")
                && policy.remediation().contains("-EwsAllowList @{Add=\"impersonation-probe*\"}"), policy.remediation());
        control("PUT", "/control/org", "{\"ewsAllowList\":[\"Outlook*\",\"impersonation-probe*\"]}");
        poller.poll("contoso");
        cycle("scenario");
        assertEquals(1.0, metrics().value("impersonation_org_ews_app_allowed", "tenant", "contoso").orElseThrow());
        assertEquals(Outcome.OK, last("scenario", "alex.wilber@contoso.com").outcome());
    }

    @Test
    void adminApiFailuresAreClassifiedCountedAndSurvived() throws Exception {
        Map<String, Map<String, Object>> failures = new LinkedHashMap<>();
        failures.put("permission_missing", Map.of("status", 403, "contentType", "application/json",
                "body", "{\"error\":{\"code\":\"Forbidden\",\"details\":[{\"message\":\"role missing\"}]}}"));
        failures.put("throttled", Map.of("status", 429, "contentType", "application/json", "body", "{}"));
        failures.put("server_error", Map.of("status", 500, "contentType", "text/html", "body", "<html>oops</html>"));
        failures.put("invalid_response", Map.of("status", 200, "contentType", "application/json", "body", "{not json"));
        failures.put("timeout", Map.of());
        for (var failure : failures.entrySet()) {
            faults(failure.getKey().equals("timeout") ? Map.of("adminLatencyMs", 3000, "adminRawAnswer", Map.of(
                    "status", 200, "contentType", "application/json", "body", "{\"value\":[]}"))
                    : Map.of("adminRawAnswer", failure.getValue()));
            poller.poll("contoso");
            Metrics metrics = metrics();
            assertEquals(0.0, metrics.value("impersonation_admin_poll_success", "tenant", "contoso", "poll",
                    "organization_config").orElseThrow(), failure.getKey());
            assertTrue(metrics.value("impersonation_admin_polls_total", "tenant", "contoso", "poll", "organization_config",
                    "result", failure.getKey()).orElseThrow() >= 1, failure.getKey());
            // The last known state stays: the demo's EwsEnabled $null (NaN in the 0/1 gauge), not unknown.
            assertEquals(1.0, metrics.value("impersonation_org_ews_enabled_state", "tenant", "contoso", "state",
                    "null").orElseThrow(), failure.getKey() + ": the last known state stays");
            assertEquals(0.0, metrics.value("impersonation_org_dehydrated", "tenant", "contoso").orElseThrow(),
                    failure.getKey() + ": the last known IsDehydrated stays");
        }
        control("DELETE", "/control/faults", null);
        poller.poll("contoso");
        assertEquals(1.0, metrics().value("impersonation_admin_poll_success", "tenant", "contoso", "poll",
                "organization_config").orElseThrow());
    }

    @Test
    void changesInWhoMayActAsMailboxesAreEvents() throws Exception {
        addServiceAccount("svc-probe", Canaries.SERVICE_ACCOUNT_PASSWORD, "Probe impersonation");
        addServiceAccount("svc-ntlm", Canaries.NTLM_PASSWORD, "NTLM impersonation");
        poller.poll("contoso");
        Metrics baseline = metrics();
        assertEquals(1.0, baseline.value("impersonation_role_assignments", "tenant", "contoso", "role",
                "Application EWS.AccessAsApp").orElseThrow());
        assertEquals(2.0, baseline.value("impersonation_role_assignments", "tenant", "contoso", "role",
                "ApplicationImpersonation").orElseThrow(), "the two service accounts");
        assertEquals(0.0, baseline.value("impersonation_role_assignments", "tenant", "contoso", "role",
                "Application Mail.Read").orElseThrow(), "every mailbox role is present, zero when unused");
        List<ControlPlaneEvent> before = poller.events("contoso");

        String rogue = "0badc0de-0000-4000-8000-00000000b0b0";
        created(control("POST", "/control/apps", "{\"appId\":\"" + rogue + "\",\"displayName\":\"Backup tool\"}"));
        for (int i = 1; i <= 150; i++) {
            created(control("POST", "/control/role-assignments", JSON.writeValueAsString(Map.of(
                    "name", "Backup grant " + i, "role", "Application EWS.AccessAsApp", "app", rogue))));
        }
        assertEquals(200, control("PUT", "/control/management-scopes/" + DemoTenant.SCOPE.replace(" ", "%20"),
                "{\"recipientFilter\":\"Department -eq 'Sales'\"}").statusCode());
        poller.poll("contoso");

        Metrics after = metrics();
        assertEquals(151.0, after.value("impersonation_role_assignments", "tenant", "contoso", "role",
                "Application EWS.AccessAsApp").orElseThrow(), "150 new grants read across two pages");
        List<ControlPlaneEvent> events = poller.events("contoso");
        int added = 150 + 1 + 1;
        assertTrue(events.size() >= added, "150 added, one new principal, one filter change: " + events.size());
        if (!before.isEmpty()) {
            // Newest first, and only so many are kept: the events before are right behind the new ones.
            assertEquals(before.get(0), events.get(added), "150 added, one new principal, one filter change");
        }
        List<ControlPlaneEvent> fresh = events.subList(0, added);
        assertEquals(1, fresh.stream().filter(e -> e.type().isSecurityRelevant()).count(), "the new app, once");
        assertTrue(fresh.stream().anyMatch(e -> e.description().contains("Department -eq 'Sales' -or Department -eq "
                + "'Support'' -> 'Department -eq 'Sales''")), "the filter change names old and new filter");
        assertEquals(1.0, after.value("impersonation_control_plane_events_total", "tenant", "contoso", "type",
                "principal_gained_access").orElseThrow() - baseline.value("impersonation_control_plane_events_total",
                "tenant", "contoso", "type", "principal_gained_access").orElse(0));
        assertEquals(1.0, after.value("impersonation_admin_poll_success", "tenant", "contoso", "poll",
                "role_assignments").orElseThrow());

        assertEquals(204, control("DELETE", "/control/role-assignments/Backup%20grant%2017", null).statusCode());
        control("PUT", "/control/management-scopes/" + DemoTenant.SCOPE.replace(" ", "%20"),
                "{\"recipientFilter\":\"Department -eq 'Sales' -or Department -eq 'Support'\"}");
        poller.poll("contoso");
        assertTrue(poller.events("contoso").get(0).type() == ControlPlaneEvent.Type.ASSIGNMENT_REMOVED
                || poller.events("contoso").get(1).type() == ControlPlaneEvent.Type.ASSIGNMENT_REMOVED);
    }

    @Test
    void propagationIsMeasuredAndNamedWithTheSimulatorsPropagationDelay() throws Exception {
        TargetStatus boardroom = store.status(ProbeKind.EWS, "propagation/boardroom@contoso.com");
        Metrics start = metrics();
        double measuredBefore = start.value("impersonation_propagation_delay_seconds_count", "tenant", "propagation",
                "kind", "grant").orElse(0);
        double delaysBefore = start.value("impersonation_propagation_delay_seconds_sum", "tenant", "propagation",
                "kind", "grant").orElse(0);
        assertEquals(200, control("PUT", "/control/propagation", "{\"delaySeconds\":2}").statusCode());
        created(control("POST", "/control/management-scopes",
                "{\"name\":\"Boardroom\",\"recipientFilter\":\"Alias -eq 'boardroom'\"}"));
        cycle("propagation");
        poller.poll("propagation");
        assertEquals(Propagation.EFFECTIVE, poller.propagation(boardroom).orElseThrow(),
                "not configured, not reachable: both agree");
        cycle("propagation");
        assertTrue(boardroom.last().remediation().startsWith("Test-ServicePrincipalAuthorization finds no role "
                + "assignment"), boardroom.last().remediation());

        Instant granted = Instant.now();
        created(control("POST", "/control/role-assignments", JSON.writeValueAsString(Map.of(
                "name", "Boardroom grant", "role", "Application EWS.AccessAsApp", "app", DemoTenant.APP_ID,
                "scope", "Boardroom"))));
        poller.poll("propagation");
        cycle("propagation");
        assertEquals(Outcome.IMPERSONATION_DENIED, boardroom.last().outcome(), "still cached as denied");
        assertEquals(Propagation.PENDING, poller.propagation(boardroom).orElseThrow());
        assertTrue(boardroom.last().remediation().contains("is still propagating"), boardroom.last().remediation());
        assertTrue(metrics().value("impersonation_propagation_pending", "tenant", "propagation").orElseThrow() >= 1);

        // The daemon measures the delay on its own clock, so the 2 s are waited for, not skipped.
        Await.until(Duration.ofSeconds(10), "the 2 s propagation", () -> Instant.now().isAfter(granted.plusMillis(2500)));
        cycle("propagation");
        assertEquals(Outcome.OK, boardroom.last().outcome());
        assertEquals(Propagation.EFFECTIVE, poller.propagation(boardroom).orElseThrow());
        Metrics measured = metrics();
        assertEquals(1.0, measured.value("impersonation_propagation_delay_seconds_count", "tenant", "propagation",
                "kind", "grant")
                .orElseThrow() - measuredBefore);
        double delay = measured.value("impersonation_propagation_delay_seconds_sum", "tenant", "propagation",
                "kind", "grant").orElseThrow()
                - delaysBefore;
        assertTrue(delay >= 2.0 && delay < 10.0, "measured from WhenCreated to first access: " + delay + " s");

        assertEquals(200, control("PUT", "/control/propagation", "{\"delaySeconds\":3600}").statusCode());
        assertEquals(204, control("DELETE", "/control/role-assignments/Boardroom%20grant", null).statusCode());
        poller.poll("propagation");
        cycle("propagation");
        assertEquals(Outcome.OK, boardroom.last().outcome(), "the cache still grants it for an hour");
        assertEquals(Propagation.REVOKE_PENDING, poller.propagation(boardroom).orElseThrow());

        created(control("POST", "/control/mailboxes",
                "{\"smtp\":\"stuck-room@contoso.com\",\"type\":\"RoomMailbox\",\"department\":\"Facilities\"}"));
        created(control("POST", "/control/management-scopes",
                "{\"name\":\"Facilities\",\"recipientFilter\":\"Department -eq 'Facilities'\"}"));
        created(control("POST", "/control/role-assignments", JSON.writeValueAsString(Map.of(
                "name", "Facilities grant", "role", "Application EWS.AccessAsApp", "app", DemoTenant.APP_ID,
                "scope", "Facilities"))));
        Instant assigned = Instant.now();
        poller.poll("propagation");
        cycle("propagation");
        TargetStatus stuck = store.status(ProbeKind.EWS, "propagation/stuck-room@contoso.com");
        assertEquals(Propagation.PENDING, poller.propagation(stuck).orElseThrow());
        Await.until(Duration.ofSeconds(15), "the 5 s window", () -> Instant.now().isAfter(assigned.plusMillis(5500)));
        cycle("propagation");
        assertEquals(Propagation.STUCK, poller.propagation(stuck).orElseThrow());
        assertEquals(1.0, metrics().value("impersonation_propagation_targets", "tenant", "propagation", "state", "stuck")
                .orElseThrow());
        assertTrue(stuck.last().remediation().contains("has not taken effect within PT5S"), stuck.last().remediation());

        // An hour and more later the cache has caught up: denied, as configured. (The jump also expires the
        // token: the first cycle after it may be refused with 401, the next one runs on a new token.)
        assertEquals(200, control("POST", "/control/clock", "{\"advance\":\"PT61M\"}").statusCode());
        cycle("propagation");
        cycle("propagation");
        assertEquals(Outcome.IMPERSONATION_DENIED, boardroom.last().outcome(), boardroom.last().detail());
        assertEquals(Propagation.EFFECTIVE, poller.propagation(boardroom).orElseThrow());
    }

    @Test
    void theAdminApiCanUseItsOwnAppCredentials() throws Exception {
        poller.poll("separate-admin");
        Metrics before = metrics();
        assertEquals(0.0, before.value("impersonation_admin_poll_success", "tenant", "separate-admin", "poll",
                "organization_config").orElseThrow(), "the reader app does not exist yet");
        assertTrue(before.value("impersonation_admin_polls_total", "tenant", "separate-admin", "poll",
                "organization_config", "result", "token_failed").orElseThrow() >= 1,
                "refused with the reader's credential, although the probing app's would have worked");
        created(control("POST", "/control/apps", JSON.writeValueAsString(Map.of(
                "appId", ScenarioEnvironment.ADMIN_READER_APP, "displayName", "Probe admin reader",
                "secret", Canaries.ADMIN_READER_SECRET, "entraRoles", List.of("Exchange.ManageAsApp")))));
        poller.poll("separate-admin");
        assertEquals(1.0, metrics().value("impersonation_admin_poll_success", "tenant", "separate-admin", "poll",
                "organization_config").orElseThrow());
    }

    @Test
    void noSecretAppearsInWhatTheDaemonOrTheSimulatorShows() throws Exception {
        // Every kind of credential at work, and failing: Basic and NTLM accounts, wrong and unknown app secrets, a
        // trust store, a certificate the tenant does not know, the admin reader's secret.
        addServiceAccount("svc-probe", Canaries.SERVICE_ACCOUNT_PASSWORD, "Probe impersonation");
        addServiceAccount("svc-ntlm", Canaries.NTLM_PASSWORD, "NTLM impersonation");
        for (String group : List.of("onprem-allow", "ntlm-allow", "bad-secret", "unknown-app", "tls-trusted",
                "tls-untrusted", "cert", "pem", "scenario")) {
            cycle(group);
        }
        poller.poll("separate-admin");
        assertEquals(Outcome.OK, last("onprem-allow", "alex.wilber@contoso.com").outcome(), "Basic was used");
        assertEquals(Outcome.OK, last("ntlm-allow", "alex.wilber@contoso.com").outcome(), "NTLM was used");

        Map<String, String> shown = new LinkedHashMap<>();
        shown.put("metrics", metrics().text());
        shown.put("health", RestAssured.get("/q/health").asString());
        for (String path : List.of("/api/v1/targets?size=500", "/api/v1/tenants")) {
            shown.put(path, RestAssured.given().header("Authorization", "Bearer test-reader-key").get(path).asString());
        }
        for (String tenant : config.tenants().keySet()) {
            shown.put("tenant " + tenant, RestAssured.given().header("Authorization", "Bearer test-reader-key")
                    .get("/api/v1/tenants/" + tenant).asString());
        }
        shown.put("status page", RestAssured.given().header("Authorization", "Bearer test-reader-key").get("/").asString());
        StringBuilder results = new StringBuilder();
        for (TargetGroup group : config.groups()) {
            for (TargetStatus status : store.group(group.name())) {
                results.append(status.last()).append('\n');
            }
        }
        shown.put("results", results.toString());
        shown.put("simulator state", control("GET", "/control/state", null).body());
        shown.put("simulator requests", control("GET", "/control/ews-requests", null).body());
        assertTrue(shown.get("simulator requests").contains("NTLM (redacted)"), "the request log had NTLM to redact");

        String basic = Base64.getEncoder().encodeToString(("CONTOSO\\svc-probe:" + Canaries.SERVICE_ACCOUNT_PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        List<String> leaks = new ArrayList<>();
        shown.forEach((what, text) -> {
            for (String secret : Canaries.ALL) {
                if (text.contains(secret)) {
                    leaks.add(what + " contains a secret of length " + secret.length());
                }
            }
            if (text.contains(basic)) {
                leaks.add(what + " contains the Basic credential");
            }
        });
        assertTrue(leaks.isEmpty(), String.join("\n", leaks));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** A service account with ApplicationImpersonation over the demo scope. */
    private void addServiceAccount(String name, String password, String assignment) throws Exception {
        created(control("POST", "/control/service-accounts", JSON.writeValueAsString(Map.of(
                "domain", "CONTOSO", "name", name, "password", password))));
        created(control("POST", "/control/role-assignments", JSON.writeValueAsString(Map.of(
                "name", assignment, "role", "ApplicationImpersonation", "user", name, "scope", DemoTenant.SCOPE))));
    }

    private void matrix(Map<String, String> codes, Map<String, Outcome> expected) throws Exception {
        faults(Map.of("responseCodes", codes));
        cycle("scenario");
        cycle("scenario-deny");
        for (var entry : expected.entrySet()) {
            String group = entry.getKey().startsWith("patti") || entry.getKey().startsWith("isaiah") ? "scenario-deny" : "scenario";
            ProbeResult result = last(group, entry.getKey());
            assertEquals(entry.getValue(), result.outcome(), entry.getKey() + ": " + result.detail());
            assertEquals(entry.getValue().verdict(), result.verdict());
            assertEquals(codes.get(entry.getKey()), result.responseCode());
            assertEquals(500, result.httpStatus());
            assertRemediation(result);
        }
    }

    private static void assertRemediation(ProbeResult result) {
        assertNotNull(result.cause());
        assertTrue(result.remediation() != null && result.remediation().length() > 20,
                result.outcome() + " has a remediation: " + result.remediation());
    }

    private void faults(Map<String, Object> faults) throws Exception {
        HttpResponse<String> response = control("PUT", "/control/faults", JSON.writeValueAsString(faults));
        assertEquals(200, response.statusCode(), response.body());
    }

    private HttpResponse<String> control(String method, String path, String json) {
        return Http.send(method, simulator.baseUrl() + path, json);
    }

    private long stat(String name) throws Exception {
        return JSON.readTree(control("GET", "/control/stats", null).body()).get(name).asLong();
    }

    private void cycle(String group) throws Exception {
        scheduler.runCycle(group(group)).get(60, TimeUnit.SECONDS);
    }

    private TargetGroup group(String name) {
        return config.groups().stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow();
    }

    private ProbeResult last(String group, String mailbox) {
        TargetStatus status = store.status(ProbeKind.EWS, group + "/" + mailbox);
        assertNotNull(status.last(), group + "/" + mailbox + " not probed yet");
        return status.last();
    }

    private static Metrics metrics() throws Exception {
        return Metrics.scrape(Daemon.url());
    }

    private static double successOf(Metrics metrics, String group, String mailbox) {
        return metrics.value("impersonation_probe_success", "group", group, "mailbox", mailbox).orElseThrow();
    }

    /** Control API calls that must succeed. */
    private static void created(HttpResponse<String> response) {
        assertEquals(201, response.statusCode(), response.body());
    }
}
