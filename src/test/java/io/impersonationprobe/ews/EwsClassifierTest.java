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
    void a403WithoutPolicyReasonClaimsNoPolicyBlock() {
        var bare = answer(403, Map.of());
        assertEquals(Outcome.FORBIDDEN, bare.outcome());
        assertTrue(Outcome.FORBIDDEN.remediation(io.impersonationprobe.config.TenantKind.EXCHANGE_ONLINE)
                .contains("Kiosk"), "names the other causes of a 403");
        // A body that talks of policy is not the header: Microsoft says to read the header.
        var body = EwsClassifier.classify(new CapturedResponse(403, Map.of("content-type", "text/html"),
                "EWS is blocked by policy for this user or tenant".getBytes(StandardCharsets.UTF_8), null), null, false);
        assertEquals(Outcome.FORBIDDEN, body.outcome());
    }

    @Test
    void a403WithPolicyReasonSaysWhichGateAndQuotesIt() {
        var disabled = answer(403, Map.of("x-ews-policy-reason", "EWS is disabled for this user or tenant"));
        assertEquals(Outcome.EWS_DISABLED, disabled.outcome());
        assertEquals("HTTP 403, X-EWS-Policy-Reason: EWS is disabled for this user or tenant", disabled.detail());
        var blocked = answer(403, Map.of("x-ews-policy-reason", "EWS is blocked by policy for this user or tenant"));
        assertEquals(Outcome.EWS_BLOCKED, blocked.outcome());
        assertTrue(blocked.detail().endsWith("EWS is blocked by policy for this user or tenant"), blocked.detail());
    }

    private static Classification soap(int status, String xml) {
        return EwsClassifier.classify(new CapturedResponse(status, Map.of("content-type", "text/xml; charset=utf-8"),
                xml.getBytes(StandardCharsets.UTF_8), null), null, false);
    }

    private static final String ENVELOPE = "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope "
            + "xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>";
    private static final String NS = " xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" "
            + "xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"";

    private static String getFolderMessage(String code, String folders) {
        return "<m:GetFolderResponseMessage ResponseClass=\"" + ("NoError".equals(code) ? "Success" : "Error") + "\">"
                + "<m:ResponseCode>" + code + "</m:ResponseCode><m:Folders>" + folders + "</m:Folders>"
                + "</m:GetFolderResponseMessage>";
    }

    private static final String INBOX = "<t:Folder><t:FolderId Id=\"AQApA=\" ChangeKey=\"AQAAAB\"/>"
            + "<t:ParentFolderId Id=\"AQAp0=\"/></t:Folder>";

    @Test
    void anAnswerThatIsNotWellFormedNeverGivesAVerdict() {
        String truncated = ENVELOPE + "<s:Fault><faultcode>s:Client</faultcode><detail><e:ResponseCode "
                + "xmlns:e=\"http://schemas.microsoft.com/exchange/services/2006/errors\">ErrorImpersonateUserDenied"
                + "</e:ResponseCode><e:Message>The account does not have permission";
        var c = soap(500, truncated);
        assertEquals(Outcome.INVALID_RESPONSE, c.outcome(), c.detail());
        assertTrue(c.detail().contains("not well-formed") && c.detail().contains("ErrorImpersonateUserDenied"), c.detail());
        var broken = soap(200, ENVELOPE + "<m:GetFolderResponse" + NS + "><m:ResponseMessages>"
                + getFolderMessage("NoError", INBOX) + "</m:ResponseMessages></m:GetFolderResponse></s:Body><oops>");
        assertEquals(Outcome.INVALID_RESPONSE, broken.outcome(), "trailing garbage after a NoError");
    }

    @Test
    void onlyOneGetFolderResponseMessageForTheOneFolderCounts() {
        String one = ENVELOPE + "<m:GetFolderResponse" + NS + "><m:ResponseMessages>" + getFolderMessage("NoError", INBOX)
                + "</m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>";
        assertEquals(Outcome.OK, soap(200, one).outcome(), soap(200, one).detail());
        String two = ENVELOPE + "<m:GetFolderResponse" + NS + "><m:ResponseMessages>"
                + getFolderMessage("ErrorImpersonateUserDenied", "") + getFolderMessage("NoError", INBOX)
                + "</m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>";
        var batch = soap(200, two);
        assertEquals(Outcome.INVALID_RESPONSE, batch.outcome());
        assertTrue(batch.detail().contains("2 response message(s)"), batch.detail());
        String twoFolders = ENVELOPE + "<m:GetFolderResponse" + NS + "><m:ResponseMessages>"
                + getFolderMessage("NoError", INBOX + INBOX) + "</m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>";
        assertEquals(Outcome.INVALID_RESPONSE, soap(200, twoFolders).outcome());
        String otherOperation = ENVELOPE + "<m:FindItemResponse" + NS + "><m:ResponseMessages>"
                + "<m:FindItemResponseMessage ResponseClass=\"Error\"><m:ResponseCode>ErrorAccessDenied</m:ResponseCode>"
                + "</m:FindItemResponseMessage></m:ResponseMessages></m:FindItemResponse></s:Body></s:Envelope>";
        var other = soap(200, otherOperation);
        assertEquals(Outcome.INVALID_RESPONSE, other.outcome(), "an error of another operation is not a refusal");
        assertTrue(other.detail().contains("FindItemResponse"), other.detail());
        String denied = ENVELOPE + "<m:GetFolderResponse" + NS + "><m:ResponseMessages>"
                + getFolderMessage("ErrorAccessDenied", "") + "</m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>";
        assertEquals(Outcome.ACCESS_DENIED, soap(200, denied).outcome());
    }

    @Test
    void theBackOffAppliedAfterTheCapIsShownNextToTheOneRequested() {
        String busy = ENVELOPE + "<s:Fault><faultcode xmlns:a=\"http://schemas.microsoft.com/exchange/services/2006/types\">"
                + "a:ErrorServerBusy</faultcode><faultstring>The server cannot service this request right now.</faultstring>"
                + "<detail><e:ResponseCode xmlns:e=\"http://schemas.microsoft.com/exchange/services/2006/errors\">"
                + "ErrorServerBusy</e:ResponseCode><e:MessageXml xmlns:e=\"http://schemas.microsoft.com/exchange/services/2006/errors\">"
                + "<t:Value xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\" Name=\"BackOffMilliseconds\">"
                + "1800000</t:Value></e:MessageXml></detail></s:Fault></s:Body></s:Envelope>";
        var c = soap(500, busy);
        assertEquals(Outcome.THROTTLED, c.outcome());
        assertEquals(Duration.ofMinutes(30), c.backOff(), "the request, as the server made it");
        assertTrue(c.detail().contains("1800000 ms requested, 900000 ms applied"), c.detail());
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
                + "<m:GetFolderResponse xmlns:m=\"m\"><m:ResponseMessages><m:GetFolderResponseMessage>"
                + "<m:ResponseCode>NoError</m:ResponseCode><m:Folders><t:Folder xmlns:t=\"t\"><t:FolderId Id=\"A\"/>"
                + "</t:Folder></m:Folders></m:GetFolderResponseMessage></m:ResponseMessages></m:GetFolderResponse>"
                + "</s:Body></s:Envelope>").getBytes(StandardCharsets.UTF_8);
        assertEquals(Outcome.INVALID_RESPONSE, EwsClassifier.classify(
                new CapturedResponse(500, Map.of(), ok, null), null, false).outcome());
        assertEquals(Outcome.INVALID_RESPONSE, EwsClassifier.classify(
                new CapturedResponse(200, Map.of(), ok, null), new IllegalStateException("parse"), false).outcome());
        assertEquals(Outcome.OK, EwsClassifier.classify(new CapturedResponse(200, Map.of(), ok, null), null, false).outcome());
    }
}
