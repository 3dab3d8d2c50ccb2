package io.impersonationprobe.ews;

import io.impersonationprobe.probe.Classification;
import io.impersonationprobe.probe.Outcome;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The classifier's rules for answers a local server cannot safely produce: DNS, and Exchange Online's 401/403 codes. */
class EwsClassifierTest {

    private static Classification answer(int status, Map<String, String> headers) {
        return EwsClassifier.classify(new CapturedResponse(status, headers, new byte[0], null), null, false);
    }

    @Test
    void a403WithNotEnoughScopeIsAMissingPermission() {
        var c = answer(403, Map.of("x-ms-diagnostics",
                "2000008;reason=\"The token contains not enough scope to make this call.\";error_category=\"invalid_grant\""));
        assertEquals(Outcome.PERMISSION_MISSING, c.outcome());
        assertTrue(c.detail().contains("2000008"));
    }

    @Test
    void a403WithoutDiagnosticsIsEwsBlocked() {
        assertEquals(Outcome.EWS_BLOCKED, answer(403, Map.of()).outcome());
    }

    @Test
    void a401NamesItsDiagnosticsCode() {
        var audience = answer(401, Map.of("x-ms-diagnostics", "2000003;reason=\"audience\";error_category=\"invalid_resource\""));
        assertEquals(Outcome.AUTH_FAILED, audience.outcome());
        assertTrue(audience.advice().contains("audience"), audience.advice());
        var tenant = answer(401, Map.of("x-ms-diagnostics", "2000004;reason=\"tenant\""));
        assertTrue(tenant.advice().contains("another tenant"), tenant.advice());
        assertNull(answer(401, Map.of()).advice(), "no code, no specific advice");
    }

    @Test
    void retryAfterIsReadAsSecondsOrAnHttpDate() {
        Instant now = Instant.parse("2026-11-22T10:00:00Z");
        assertEquals(Duration.ofSeconds(30), EwsClassifier.retryAfter("30", now));
        assertEquals(Duration.ofSeconds(90), EwsClassifier.retryAfter("Sun, 22 Nov 2026 10:01:30 GMT", now));
        assertEquals(Duration.ZERO, EwsClassifier.retryAfter("Sun, 22 Nov 2026 09:00:00 GMT", now));
        assertNull(EwsClassifier.retryAfter("soon", now));
        var throttled = answer(429, Map.of("retry-after", "12"));
        assertEquals(Outcome.THROTTLED, throttled.outcome());
        assertEquals(Duration.ofSeconds(12), throttled.backOff());
    }

    @Test
    void transportFailuresAreNamed() {
        assertEquals(Outcome.DNS_FAILURE, EwsClassifier.classify(null,
                new RuntimeException("wrapped", new UnknownHostException("mail.contoso.invalid")), false).outcome());
        assertEquals(Outcome.TLS_FAILURE, EwsClassifier.classify(null,
                new RuntimeException(new SSLHandshakeException("PKIX path building failed")), false).outcome());
        assertEquals(Outcome.TIMEOUT, EwsClassifier.classify(null, new RuntimeException("aborted"), true).outcome(),
                "the watchdog's abort is a timeout, whatever the library made of it");
        assertEquals(Outcome.UNKNOWN_ERROR, EwsClassifier.classify(null, null, false).outcome(),
                "no exchange at all is never access");
    }

    @Test
    void noErrorWithAFailureOrAnErrorStatusIsNeverAccess() {
        byte[] ok = ("<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
                + "<m:GetFolderResponse xmlns:m=\"m\"><m:ResponseCode>NoError</m:ResponseCode></m:GetFolderResponse>"
                + "</s:Body></s:Envelope>").getBytes(StandardCharsets.UTF_8);
        assertEquals(Outcome.INVALID_RESPONSE, EwsClassifier.classify(
                new CapturedResponse(500, Map.of(), ok, null), null, false).outcome());
        assertEquals(Outcome.INVALID_RESPONSE, EwsClassifier.classify(
                new CapturedResponse(200, Map.of(), ok, null), new IllegalStateException("parse"), false).outcome());
        assertEquals(Outcome.OK, EwsClassifier.classify(new CapturedResponse(200, Map.of(), ok, null), null, false).outcome());
    }
}
