package io.impersonationprobe.graph;

import io.impersonationprobe.probe.Classification;
import io.impersonationprobe.probe.Outcome;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every Graph answer the probe can meet, classified from status, error code and headers. */
class GraphClassifierTest {
    static final String JSON = "application/json; charset=utf-8";

    private static Classification answer(int status, String contentType, String body, String retryAfter) {
        return GraphClassifier.classify(new GraphAnswer(status, contentType, body, "req-1", "client-1",
                "Sun, 22 Nov 2026 06:00:00 GMT", retryAfter));
    }

    private static String error(String code) {
        return "{\"error\":{\"code\":\"" + code + "\",\"message\":\"m\",\"innerError\":{\"request-id\":\"req-1\"}}}";
    }

    @Test
    void aFolderIdIsAccess() {
        var c = answer(200, "application/json;odata.metadata=minimal", "{\"id\":\"AAMkAG\"}", null);
        assertEquals(Outcome.OK, c.outcome());
        assertEquals(Outcome.INVALID_RESPONSE, answer(200, JSON, "{\"value\":[]}", null).outcome(), "no id, no proof");
        assertEquals(Outcome.INVALID_RESPONSE, answer(200, "text/html", "<html>Sign in</html>", null).outcome());
    }

    @Test
    void graphErrorCodesDecideBeforeTheStatus() {
        assertEquals(Outcome.ACCESS_DENIED, answer(403, JSON, error("ErrorAccessDenied"), null).outcome());
        assertEquals(Outcome.PERMISSION_MISSING, answer(403, JSON, error("Authorization_RequestDenied"), null).outcome());
        assertEquals(Outcome.AUTH_FAILED, answer(401, JSON, error("InvalidAuthenticationToken"), null).outcome());
        assertEquals(Outcome.MAILBOX_NOT_FOUND, answer(404, JSON, error("ErrorInvalidUser"), null).outcome());
        assertEquals(Outcome.MAILBOX_NOT_FOUND, answer(404, JSON, error("ResourceNotFound"), null).outcome());
        assertEquals(Outcome.MAILBOX_NOT_ENABLED_FOR_REST, answer(404, JSON, error("MailboxNotEnabledForRESTAPI"), null)
                .outcome());
        var unknown = answer(400, JSON, error("ErrorInvalidRequest"), null);
        assertEquals(Outcome.UNKNOWN_ERROR, unknown.outcome());
        assertEquals("ErrorInvalidRequest", unknown.responseCode(), "the code is kept");
    }

    @Test
    void throttlingCarriesRetryAfterAsSecondsOrDate() {
        var seconds = answer(429, JSON, error("ApplicationThrottled"), "17");
        assertEquals(Outcome.THROTTLED, seconds.outcome());
        assertEquals(Duration.ofSeconds(17), seconds.backOff());
        var date = answer(503, JSON, error("ServiceUnavailable"), "Sun, 22 Nov 2026 06:01:30 GMT");
        assertEquals(Outcome.THROTTLED, date.outcome());
        assertEquals(Duration.ofSeconds(90), date.backOff(), "relative to the server's Date");
        var busy = answer(503, JSON, error("ServiceUnavailable"), null);
        assertEquals(Outcome.UNAVAILABLE, busy.outcome(), "503 without Retry-After is an outage, not a pause");
        assertNull(busy.backOff());
    }

    @Test
    void answersThatAreNotGraphsAreNamedAsSuch() {
        assertEquals(Outcome.ENDPOINT_NOT_FOUND, answer(404, "text/html", "<html>Not Found</html>", null).outcome());
        assertEquals(Outcome.UNAVAILABLE, answer(502, "text/html", "bad gateway", null).outcome());
        assertEquals(Outcome.INVALID_RESPONSE, answer(302, "text/html", "", null).outcome());
    }

    @Test
    void transportFailures() {
        assertEquals(Outcome.DNS_FAILURE, GraphClassifier.fromFailure(new RuntimeException(
                new UnknownHostException("graph.example"))).outcome());
        assertEquals(Outcome.UNAVAILABLE, GraphClassifier.fromFailure(new RuntimeException(
                new ConnectException("Connection refused"))).outcome());
        assertEquals(Outcome.TLS_FAILURE, GraphClassifier.fromFailure(new javax.net.ssl.SSLHandshakeException("PKIX"))
                .outcome());
        assertTrue(GraphClassifier.fromFailure(new IllegalStateException("odd")).outcome() == Outcome.UNKNOWN_ERROR);
    }
}
