package io.impersonationprobe.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.testing.DaemonProcess;
import io.impersonationprobe.testing.Http;
import io.impersonationprobe.testing.Metrics;
import io.impersonationprobe.testing.SimulatorProcess;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulated tenant on its own: the packaged jar in the {@code simulator} profile serves the demo tenant on a free
 * port, with no target group configured and nothing of the daemon at work, and a daemon in another process probes it.
 */
class StandaloneSimulatorIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String APP_ID = "6731de76-14a6-49ae-97bc-6eba6914391e";

    @Test
    void theSimulatorProfileServesTheDemoTenantAloneAndADaemonElsewhereProbesIt() throws Exception {
        try (SimulatorProcess simulator = SimulatorProcess.start("standalone-simulator", Map.of())) {
            String token = token(simulator.baseUrl());
            HttpResponse<String> allowed = getFolder(simulator.baseUrl(), token, "alex.wilber@contoso.com");
            assertEquals(200, allowed.statusCode(), allowed.body());
            assertTrue(allowed.body().contains("<m:ResponseCode>NoError</m:ResponseCode>"), allowed.body());
            HttpResponse<String> denied = getFolder(simulator.baseUrl(), token, "patti.fernandez@contoso.com");
            assertEquals(500, denied.statusCode());
            assertTrue(denied.body().contains("ErrorImpersonateUserDenied"), denied.body());

            JsonNode state = JSON.readTree(Http.get(simulator.baseUrl() + "/control/state").body());
            assertEquals(10, state.get("mailboxes").size(), "the demo tenant's content");
            assertEquals(30, state.get("propagationDelaySeconds").asInt(), "the profile's propagation delay");

            String log = Files.readString(simulator.log());
            assertTrue(log.contains("Profile simulator activated"), log);
            assertTrue(log.matches("(?s).*Listening on: \\r?\\n.*"), "no listener of the daemon's own: " + log);
            assertFalse(log.contains("Group "), "no target group is scheduled: " + log);
            assertFalse(log.contains("issues tokens to anyone"), "the simulator profile is one it is meant for");

            try (DaemonProcess daemon = DaemonProcess.start("against-standalone-simulator", Map.of(
                    "quarkus.profile", "demo", "simulator.enabled", "false",
                    "simulator.port", String.valueOf(simulator.port()),
                    "simulator.ldap-port", String.valueOf(simulator.ldapPort())))) {
                daemon.awaitReady(Duration.ofSeconds(60));
                Metrics metrics = Metrics.scrape(daemon.baseUrl());
                assertEquals(5.0, metrics.value("impersonation_targets", "group", "sales-and-support", "probe", "ews",
                        "state", "ok").orElseThrow(), "the daemon reaches the demo tenant in the other process");
                assertEquals(1.0, metrics.value("impersonation_scope_leaks", "group", "executives").orElseThrow());
                JsonNode stats = JSON.readTree(Http.get(simulator.baseUrl() + "/control/stats").body());
                assertTrue(stats.get("ewsRequests").asLong() >= 2 + 8, "its probes arrived there: " + stats);
            }
        }
    }

    @Test
    void outsideTheProfilesMeantForItTheSimulatorWarnsThatItIssuesTokensToAnyone() throws Exception {
        try (SimulatorProcess simulator = SimulatorProcess.start("simulator-in-prod", Map.of("quarkus.profile", "prod",
                "simulator.enabled", "true", "impersonation.groups-required", "false"))) {
            String log = Files.readString(simulator.log());
            assertTrue(log.matches("(?s).*WARN .*The simulated Exchange tenant is enabled \\(simulator.enabled=true\\) "
                    + "in profile\\(s\\) prod: it issues tokens to anyone who asks.*"), log);
            assertEquals(200, Http.get(simulator.baseUrl() + "/control/state").statusCode(), "it still runs");
        }
    }

    private static String token(String base) throws Exception {
        String form = "grant_type=client_credentials&client_id=" + APP_ID + "&client_secret=simulator-demo-secret"
                + "&scope=" + URLEncoder.encode("https://outlook.office365.com/.default", StandardCharsets.UTF_8);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create(base + "/contoso.onmicrosoft.com/oauth2/v2.0/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = JSON.readTree(response.body());
        assertEquals("Bearer", body.get("token_type").asText());
        return body.get("access_token").asText();
    }

    private static HttpResponse<String> getFolder(String base, String token, String mailbox) throws Exception {
        String soap = "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                + "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                + "xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\" "
                + "xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\">"
                + "<soap:Header><t:RequestServerVersion Version=\"Exchange2010_SP2\"/>"
                + "<t:ExchangeImpersonation><t:ConnectingSID><t:SmtpAddress>" + mailbox
                + "</t:SmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></soap:Header>"
                + "<soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape>"
                + "<m:FolderIds><t:DistinguishedFolderId Id=\"inbox\"/></m:FolderIds></m:GetFolder></soap:Body>"
                + "</soap:Envelope>";
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/EWS/Exchange.asmx"))
                .header("Content-Type", "text/xml; charset=utf-8")
                .header("Authorization", "Bearer " + token)
                .header("X-AnchorMailbox", mailbox)
                .POST(HttpRequest.BodyPublishers.ofString(soap)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
