package io.impersonationprobe.ews;

import io.impersonationprobe.target.Expectation;
import io.impersonationprobe.config.TenantKind;
import io.impersonationprobe.probe.Outcome;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.Trace;
import io.impersonationprobe.probe.Verdict;
import io.impersonationprobe.target.Target;
import io.impersonationprobe.testing.ReferenceFiles;
import microsoft.exchange.webservices.data.core.enumeration.property.WellKnownFolderName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real EWS probe stack (ews-java-api, the shared HTTP client, the classifier) against a stub server that plays
 * back responses recorded from real Exchange servers, and hostile ones: each must get its true outcome, and nothing
 * but a real NoError may ever count as access.
 */
class EwsProbeClassificationTest {
    static final Map<String, String> XML = Map.of("Content-Type", "text/xml; charset=utf-8");
    static final Target TARGET = new Target("t", "g", "alex.wilber@contoso.com", Expectation.ALLOW);
    static final Target DENY_TARGET = new Target("t", "executives", "patti.fernandez@contoso.com", Expectation.DENY);

    static final StubEwsServer.FixedBearer credentials = new StubEwsServer.FixedBearer();
    static StubEwsServer server;
    static EwsEndpoint probe;

    @BeforeAll
    static void start() throws IOException {
        server = new StubEwsServer();
        probe = server.probe(TenantKind.EXCHANGE_ONLINE, credentials);
    }

    @AfterAll
    static void stop() throws IOException {
        probe.close();
        server.close();
    }

    private static ProbeResult probe(Duration timeout) {
        return probe.probe(TARGET, Instant.now().plus(timeout), Trace.OFF);
    }

    private static ProbeResult probe() {
        return probe(Duration.ofSeconds(5));
    }

    private static ProbeResult playBack(String recording) throws IOException {
        Path dir = ReferenceFiles.requireEws().resolve("responses");
        Path body = dir.resolve(recording);
        String meta = Files.readString(dir.resolve(recording.replaceAll("\\.(xml|txt)$", ".meta")));
        var status = java.util.regex.Pattern.compile("(?m)^http_status: (\\d{3})|HTTP/1\\.1 (\\d{3})").matcher(meta);
        assertTrue(status.find(), "status in " + recording);
        int code = Integer.parseInt(status.group(1) != null ? status.group(1) : status.group(2));
        server.answer(code, XML, Files.readAllBytes(body));
        return probe();
    }

    @Test
    void recordedExchangeOnlineSuccessIsAccess() throws IOException {
        ProbeResult result = playBack("recorded/getfolder-success-calendar-exo-15.20.xml");
        assertEquals(Outcome.OK, result.outcome(), result.detail());
        assertEquals("NoError", result.responseCode());
        assertEquals(200, result.httpStatus());
        assertEquals(Verdict.ALLOWED, result.verdict());
        ProbeResult leak = probe.probe(DENY_TARGET, Instant.now().plusSeconds(5), Trace.OFF);
        assertEquals(Outcome.SCOPE_LEAK, leak.outcome(), "the same answer for a mailbox that must stay out of reach");
        assertTrue(!leak.success());
    }

    @Test
    void recordedErrorOfAnotherOperationIsNotTakenAsAnAnswer() throws IOException {
        // A real ErrorNonExistentMailbox, but in a CreateFolderResponse: only a GetFolderResponse answers the probe.
        ProbeResult result = playBack("recorded/createfolder-error-nonexistent-mailbox-ex2007sp1.xml");
        assertEquals(Outcome.INVALID_RESPONSE, result.outcome(), result.detail());
        assertTrue(result.detail().contains("CreateFolderResponse"), result.detail());
    }

    @Test
    void recordedSchemaValidationFaultKeepsItsCode() throws IOException {
        ProbeResult result = playBack("recorded/soapfault-error-schema-validation-http500-ex2010sp2.xml");
        assertEquals(Outcome.UNKNOWN_ERROR, result.outcome(), result.detail());
        assertEquals("ErrorSchemaValidation", result.responseCode());
        assertEquals(500, result.httpStatus());
    }

    @Test
    void aFaultCodeTheLibraryDoesNotKnowIsKeptFromTheRawResponse() {
        server.answer(500, XML, fault("ErrorInvalidLicense2031", "A code newer than ews-java-api."));
        ProbeResult result = probe();
        assertEquals(Outcome.UNKNOWN_ERROR, result.outcome());
        assertEquals("ErrorInvalidLicense2031", result.responseCode());
        assertEquals(Verdict.ERROR, result.verdict());
    }

    @Test
    void impersonationDeniedIsADenial() {
        server.answer(500, XML, fault("ErrorImpersonateUserDenied",
                "The account does not have permission to impersonate the requested user."));
        ProbeResult result = probe.probe(DENY_TARGET, Instant.now().plusSeconds(5), Trace.OFF);
        assertEquals(Outcome.IMPERSONATION_DENIED, result.outcome());
        assertEquals(Verdict.DENIED, result.verdict());
        assertTrue(result.success(), "a deny target met its expectation");
    }

    @Test
    void serverBusyIsThrottledWithItsBackOff() {
        server.answer(500, XML, fault("ErrorServerBusy", "The server cannot service this request right now.")
                .replace("</detail>", "<t:MessageXml xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\">"
                        + "<t:Value Name=\"BackOffMilliseconds\">297749</t:Value></t:MessageXml></detail>"));
        ProbeResult result = probe();
        assertEquals(Outcome.THROTTLED, result.outcome());
        assertTrue(result.detail().contains("back off 297749 ms"), result.detail());
    }

    @Test
    void unauthorizedKeepsTheDiagnostics() throws IOException {
        Path recording = ReferenceFiles.requireEws()
                .resolve("responses/ms-docs/http401-oauth-bearer-x-ms-diagnostics-invalid-resource-onprem.txt");
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line : Files.readAllLines(recording)) {
            String[] parts = line.split(" ?\u2192", 2);
            if (parts.length == 2 && !parts[0].equalsIgnoreCase("Content-Length")) {
                headers.putIfAbsent(parts[0].strip(), parts[1].strip());
            }
        }
        server.answer(401, headers, new byte[0]);
        int before = credentials.rejections.get();
        ProbeResult result = probe();
        assertEquals(before + 1, credentials.rejections.get(), "a 401 tells the credentials their token was refused");
        assertEquals(Outcome.AUTH_FAILED, result.outcome(), result.detail());
        assertEquals(401, result.httpStatus());
        assertTrue(result.detail().contains("2000003;reason="), result.detail());
    }

    @Test
    void wrongUrlThrottlingAndOutagesAreErrors() {
        server.answer(404, Map.of("Content-Type", "text/html"), "<html>Not Found</html>");
        assertEquals(Outcome.ENDPOINT_NOT_FOUND, probe().outcome());
        server.answer(503, Map.of("Retry-After", "30"), "");
        ProbeResult throttled = probe();
        assertEquals(Outcome.THROTTLED, throttled.outcome());
        assertTrue(throttled.detail().contains("Retry-After: 30"), throttled.detail());
        server.answer(503, Map.of(), "");
        assertEquals(Outcome.UNAVAILABLE, probe().outcome());
        server.answer(500, Map.of("Content-Type", "text/html"), "<html>Runtime Error</html>");
        assertEquals(Outcome.UNAVAILABLE, probe().outcome());
    }

    @Test
    void aLoginPageAnsweringInsteadOfExchangeIsNeverAccess() {
        server.answer(200, Map.of("Content-Type", "text/html; charset=utf-8"), "<html><body>Sign in</body></html>");
        ProbeResult result = probe();
        assertEquals(Outcome.INVALID_RESPONSE, result.outcome(), result.detail());
        assertNotEquals(Verdict.ALLOWED, result.verdict());
    }

    @Test
    void anOversizedAnswerIsAbandoned() {
        byte[] huge = new byte[EwsHttpClient.MAX_RESPONSE_BYTES + 4096];
        java.util.Arrays.fill(huge, (byte) ' ');
        server.answer(200, XML, huge);
        ProbeResult result = probe();
        assertEquals(Outcome.INVALID_RESPONSE, result.outcome(), result.detail());
        assertTrue(result.detail().contains("larger than"), result.detail());
    }

    @Test
    void aSlowServerIsCutOffAtTheDeadline() {
        server.answer(200, XML, "<x/>").delay(5_000);
        Instant start = Instant.now();
        ProbeResult result = probe(Duration.ofMillis(700));
        Duration took = Duration.between(start, Instant.now());
        assertEquals(Outcome.TIMEOUT, result.outcome(), result.detail());
        assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, "returned after " + took);
    }

    @Test
    void aRefusedConnectionIsUnavailable() throws IOException {
        int closedPort;
        try (var socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        EwsEndpoint refused = StubEwsServer.endpoint(TenantKind.ON_PREMISES,
                URI.create("http://127.0.0.1:" + closedPort + "/EWS/Exchange.asmx"), new StubEwsServer.FixedBearer());
        try {
            ProbeResult result = refused.probe(TARGET, Instant.now().plusSeconds(5), Trace.OFF);
            assertEquals(Outcome.UNAVAILABLE, result.outcome(), result.detail());
            assertTrue(result.remediation().contains("Exchange server"), "on-premises advice: " + result.remediation());
        } finally {
            refused.close();
        }
    }

    static String fault(String code, String message) {
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">"
                + "<s:Body><s:Fault><faultcode xmlns:a=\"http://schemas.microsoft.com/exchange/services/2006/types\">a:"
                + code + "</faultcode><faultstring xml:lang=\"en-US\">" + message + "</faultstring><detail>"
                + "<e:ResponseCode xmlns:e=\"http://schemas.microsoft.com/exchange/services/2006/errors\">" + code
                + "</e:ResponseCode><e:Message xmlns:e=\"http://schemas.microsoft.com/exchange/services/2006/errors\">"
                + message + "</e:Message></detail></s:Fault></s:Body></s:Envelope>";
    }
}
