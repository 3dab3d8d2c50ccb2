package io.impersonationprobe.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.testing.ReferenceFiles;
import io.impersonationprobe.testing.Xml;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulator must answer what a real server sends: its EWS answers validate against Microsoft's schema and have
 * the shape of responses recorded from Exchange; its token endpoint answers like Entra ID, AADSTS codes included.
 * The simulator runs alone here, as plain Java on a free port, reset to the demo tenant before each test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SimulatorConformanceTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();

    private Simulator simulator;

    @BeforeAll
    void start() {
        Path schema = ReferenceFiles.ewsDir().resolve("schema");
        simulator = Simulator.start(SimulatorOptions.defaults().withSchemaDir(Files.isDirectory(schema) ? schema : null));
    }

    @AfterAll
    void stop() {
        simulator.close();
    }

    @BeforeEach
    void demoTenant() {
        simulator.reset();
    }

    @Test
    void aResetOverTheControlApiRestoresTheDemoTenant() throws Exception {
        JsonNode demo = state();
        assertEquals(201, control("POST", "/control/mailboxes", "{\"smtp\":\"new.hire@contoso.com\"}").statusCode());
        assertEquals(204, control("DELETE", "/control/role-assignments/" + enc(DemoTenant.ASSIGNMENT).replace("+", "%20"),
                null).statusCode());
        assertEquals(200, control("PUT", "/control/org", "{\"ewsEnabled\":false}").statusCode());
        assertEquals(200, control("PUT", "/control/faults", "{\"ewsLatencyMs\":100}").statusCode());
        assertEquals(200, control("PUT", "/control/propagation", "{\"delaySeconds\":3600}").statusCode());
        assertEquals(200, control("POST", "/control/clock", "{\"advance\":\"PT3H\"}").statusCode());
        assertEquals(403, ews(token(), getFolder("alex.wilber@contoso.com", "IdOnly", "inbox")).statusCode());

        HttpResponse<String> reset = control("POST", "/control/reset", null);
        assertEquals(200, reset.statusCode(), reset.body());
        JsonNode after = state();
        for (String part : List.of("tenant", "propagationDelaySeconds", "mailboxes", "org", "apps", "serviceAccounts",
                "managementScopes", "roleAssignments", "faults")) {
            assertEquals(demo.get(part), after.get(part), part + " is the demo tenant's again");
        }
        assertEquals(0, after.at("/clock/offsetSeconds").asLong(), "back on real time");
        assertEquals(JSON.readTree(reset.body()).get("roleAssignments"), after.get("roleAssignments"),
                "the reset answers with the state it made");
        assertEquals(0, after.at("/stats/ewsRequests").asLong(), "counters start again");
        assertEquals("[]", control("GET", "/control/ews-requests", null).body(), "and so does the request log");
        assertEquals(200, ews(token(), getFolder("alex.wilber@contoso.com", "IdOnly", "inbox")).statusCode());
    }

    @Test
    void movingTheClockExpiresTokens() throws Exception {
        String token = token();
        assertEquals(200, ews(token, getFolder("alex.wilber@contoso.com", "IdOnly", "inbox")).statusCode());
        HttpResponse<String> moved = control("POST", "/control/clock", "{\"advance\":\"PT61M\"}");
        assertEquals(200, moved.statusCode(), moved.body());
        HttpResponse<String> expired = ews(token, getFolder("alex.wilber@contoso.com", "IdOnly", "inbox"));
        assertEquals(401, expired.statusCode());
        assertTrue(expired.headers().firstValue("x-ms-diagnostics").orElseThrow().contains("The token has expired"),
                expired.headers().map().toString());
        assertEquals(400, control("POST", "/control/clock", "{\"advance\":\"-PT1M\"}").statusCode(),
                "the clock only moves forward");
    }

    @Test
    void successAnswersValidateAndMatchARecordedExchangeOnlineResponse() throws Exception {
        HttpResponse<String> response = ews(token(), getFolder("alex.wilber@contoso.com", "IdOnly", "inbox"));
        assertEquals(200, response.statusCode());
        assertEquals("text/xml; charset=utf-8", response.headers().firstValue("Content-Type").orElseThrow());
        Document answer = Xml.parse(response.body());
        validateEnvelopeParts(answer);

        Path recorded = ReferenceFiles.requireEws().resolve("responses/recorded/getfolder-success-calendar-exo-15.20.xml");
        Set<String> recordedPaths = normalise(Xml.paths(Xml.parse(Files.readString(recorded))));
        Set<String> ours = normalise(Xml.paths(answer));
        // An IdOnly answer carries a subset of the recorded default-shape answer: the same elements, in the same place.
        assertTrue(recordedPaths.containsAll(ours), "not in the recorded answer: " + minus(ours, recordedPaths));
        assertTrue(ours.stream().anyMatch(p -> p.endsWith("}FolderId")));
    }

    @Test
    void faultsMatchTheRecordedFaultShape() throws Exception {
        Path recorded = ReferenceFiles.requireEws()
                .resolve("responses/recorded/soapfault-error-schema-validation-http500-ex2010sp2.xml");
        Set<String> recordedPaths = Xml.paths(Xml.parse(Files.readString(recorded)));
        for (String mailbox : new String[]{"patti.fernandez@contoso.com", "nobody@contoso.com"}) {
            HttpResponse<String> response = ews(token(), getFolder(mailbox, "IdOnly", "inbox"));
            assertEquals(500, response.statusCode(), "SOAP faults come with HTTP 500");
            assertEquals("text/xml; charset=utf-8", response.headers().firstValue("Content-Type").orElseThrow());
            Document fault = Xml.parse(response.body());
            Set<String> ours = Xml.paths(fault).stream()
                    .filter(p -> !p.contains("}MessageXml/")).collect(Collectors.toCollection(TreeSet::new));
            assertTrue(recordedPaths.containsAll(ours), mailbox + ": not in the recorded fault: " + minus(ours, recordedPaths));
        }
        String denied = ews(token(), getFolder("patti.fernandez@contoso.com", "IdOnly", "inbox")).body();
        assertTrue(denied.contains(">a:ErrorImpersonateUserDenied</faultcode>"), denied);
        String missing = ews(token(), getFolder("nobody@contoso.com", "IdOnly", "inbox")).body();
        assertTrue(missing.contains("<t:Value Name=\"SmtpAddress\">nobody@contoso.com</t:Value>"), missing);
    }

    @Test
    void anInvalidRequestGetsErrorSchemaValidationLikeARealServer() throws Exception {
        ReferenceFiles.requireEws();
        HttpResponse<String> response = ews(token(), getFolder("alex.wilber@contoso.com", "NoSuchShape", "inbox"));
        assertEquals(500, response.statusCode());
        assertTrue(response.body().contains("a:ErrorSchemaValidation"), response.body());
    }

    @Test
    void theImpersonationHeaderIsRequiredForAnAppToken() throws Exception {
        String noHeader = getFolder("alex.wilber@contoso.com", "IdOnly", "inbox")
                .replaceAll("<soap:Header>.*</soap:Header>", "");
        HttpResponse<String> response = ews(token(), noHeader);
        assertEquals(500, response.statusCode());
        assertTrue(response.body().contains("ExchangeImpersonation SOAP header must be present"), response.body());
    }

    @Test
    void withoutTheAnchorHeaderRequestsAreSlowerAndSometimesFail() throws Exception {
        String token = token();
        String request = getFolder("alex.wilber@contoso.com", "IdOnly", "inbox");
        int failures = 0;
        long started = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> response = ews(token, request, null);
            if (response.statusCode() == 500) {
                failures++;
                assertTrue(response.body().contains("a:ErrorInternalServerError"), response.body());
            }
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(2, failures, "every second request without X-AnchorMailbox fails");
        assertTrue(millis >= 4 * 250, "each is delayed: " + millis + " ms for 4");
        assertEquals(200, ews(token, request).statusCode(), "with the anchor it works");
    }

    @Test
    void badTokensGet401WithDiagnostics() throws Exception {
        HttpResponse<String> none = HTTP.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/EWS/Exchange.asmx"))
                .POST(HttpRequest.BodyPublishers.ofString(getFolder("alex.wilber@contoso.com", "IdOnly", "inbox")))
                .header("Content-Type", "text/xml; charset=utf-8").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, none.statusCode());
        assertTrue(none.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer "));

        String token = token();
        String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        HttpResponse<String> forged = ews(tampered, getFolder("alex.wilber@contoso.com", "IdOnly", "inbox"));
        assertEquals(401, forged.statusCode());
        assertTrue(forged.headers().firstValue("x-ms-diagnostics").orElseThrow().startsWith("2000001;reason="));
    }

    @Test
    void theTokenEndpointAnswersLikeEntraId() throws Exception {
        JsonNode ok = JSON.readTree(tokenRequest(DemoTenant.DOMAIN, DemoTenant.APP_ID, DemoTenant.APP_SECRET,
                "https://outlook.office365.com/.default openid profile offline_access").body());
        assertEquals("Bearer", ok.get("token_type").asText());
        assertTrue(ok.get("expires_in").asLong() > 0);
        assertEquals(3, ok.get("access_token").asText().split("\\.").length, "a JWT");

        assertAadsts(tokenRequest(DemoTenant.DOMAIN, DemoTenant.APP_ID, "wrong-secret",
                "https://outlook.office365.com/.default"), 401, "invalid_client", 7000215);
        assertAadsts(tokenRequest(DemoTenant.DOMAIN, "00000000-0000-0000-0000-000000000000", "x",
                "https://outlook.office365.com/.default"), 400, "unauthorized_client", 700016);
        assertAadsts(tokenRequest("fabrikam.onmicrosoft.com", DemoTenant.APP_ID, DemoTenant.APP_SECRET,
                "https://outlook.office365.com/.default"), 400, "invalid_request", 90002);
        assertAadsts(tokenRequest(DemoTenant.DOMAIN, DemoTenant.APP_ID, DemoTenant.APP_SECRET,
                "https://outlook.office365.com/EWS.AccessAsUser.All"), 400, "invalid_scope", 1002012);
    }

    @Test
    void theAdminApiRefusesRoleAssignmentsWhileTheOrgIsDehydrated() throws Exception {
        String assign = "{\"CmdletInput\":{\"CmdletName\":\"New-ManagementRoleAssignment\",\"Parameters\":{"
                + "\"Name\":\"conformance grant\",\"Role\":\"Application EWS.AccessAsApp\",\"App\":\"" + DemoTenant.APP_ID
                + "\",\"CustomResourceScope\":\"" + DemoTenant.SCOPE + "\"}}}";
        assertEquals(200, control("PUT", "/control/org", "{\"isDehydrated\":true}").statusCode());
        HttpResponse<String> refused = admin(assign);
        assertEquals(400, refused.statusCode());
        String message = JSON.readTree(refused.body()).at("/error/details/0/message").asText();
        assertTrue(message.contains("Run Enable-OrganizationCustomization first"), message);
        control("PUT", "/control/org", "{\"isDehydrated\":false}");
        HttpResponse<String> created = admin(assign);
        assertEquals(200, created.statusCode(), created.body());
        assertEquals(204, control("DELETE", "/control/role-assignments/conformance%20grant", null).statusCode());
        JsonNode org = JSON.readTree(admin("{\"CmdletInput\":{\"CmdletName\":\"Get-OrganizationConfig\",\"Parameters\":{}}}")
                .body()).at("/value/0");
        assertEquals(false, org.get("IsDehydrated").asBoolean());
        assertTrue(org.get("EwsEnabled").isNull(), "EwsEnabled is $null by default: " + org);
    }

    private HttpResponse<String> admin(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/adminapi/beta/" + DemoTenant.DOMAIN + "/InvokeCommand"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token())
                .header("X-AnchorMailbox", "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@" + DemoTenant.DOMAIN)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theControlApiRejectsBadInputClearly() throws Exception {
        assertEquals(400, control("POST", "/control/role-assignments", "not json").statusCode());
        HttpResponse<String> role = control("POST", "/control/role-assignments",
                "{\"name\":\"x\",\"role\":\"ApplicationImpersonation2\",\"app\":\"" + DemoTenant.APP_ID + "\"}");
        assertEquals(400, role.statusCode());
        assertTrue(role.body().contains("unknown role"), role.body());
        HttpResponse<String> filter = control("POST", "/control/management-scopes",
                "{\"name\":\"bad\",\"recipientFilter\":\"Dept -eq 'x'\"}");
        assertEquals(400, filter.statusCode());
        assertTrue(filter.body().contains("unknown property 'Dept'"), filter.body());
        assertEquals(404, control("DELETE", "/control/role-assignments/no-such-assignment", null).statusCode());
        assertEquals(409, control("POST", "/control/mailboxes", "{\"smtp\":\"alex.wilber@contoso.com\"}").statusCode());
        assertEquals(400, control("POST", "/control/mailboxes", "{\"smtp\":\"not an address\"}").statusCode());
    }

    private JsonNode state() throws Exception {
        return JSON.readTree(control("GET", "/control/state", null).body());
    }

    private static void validateEnvelopeParts(Document answer) throws Exception {
        var schema = EwsSchema.load(ReferenceFiles.requireEws().resolve("schema"));
        Element envelope = answer.getDocumentElement();
        for (Element header : Xml.children(Xml.child(envelope, "Header"))) {
            schema.validate(header);
        }
        schema.validate(Xml.children(Xml.child(envelope, "Body")).get(0));
    }

    /** Folder classes differ by folder (Folder, CalendarFolder…); the shape around them is what must agree. */
    private static Set<String> normalise(Set<String> paths) {
        return paths.stream().map(p -> p.replaceAll("}(Calendar|Contacts|Tasks|Search)?Folder/", "}Folder/")
                .replaceAll("}(Calendar|Contacts|Tasks|Search)?Folder$", "}Folder"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> difference = new TreeSet<>(a);
        difference.removeAll(b);
        return difference;
    }

    static String getFolder(String mailbox, String shape, String folder) {
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                + "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
                + "xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\" "
                + "xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\">"
                + "<soap:Header><t:RequestServerVersion Version=\"Exchange2010_SP2\"/>"
                + "<t:ExchangeImpersonation><t:ConnectingSID><t:SmtpAddress>" + mailbox
                + "</t:SmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></soap:Header>"
                + "<soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>" + shape + "</t:BaseShape></m:FolderShape>"
                + "<m:FolderIds><t:DistinguishedFolderId Id=\"" + folder + "\"/></m:FolderIds></m:GetFolder></soap:Body>"
                + "</soap:Envelope>";
    }

    /** Sends as a correct client does, with X-AnchorMailbox naming the impersonated mailbox. */
    private HttpResponse<String> ews(String token, String body) throws Exception {
        Matcher smtp = Pattern.compile("<t:SmtpAddress>([^<]+)<").matcher(body);
        return ews(token, body, smtp.find() ? smtp.group(1) : null);
    }

    private HttpResponse<String> ews(String token, String body, String anchor) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/EWS/Exchange.asmx"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "text/xml; charset=utf-8")
                .header("Authorization", "Bearer " + token);
        if (anchor != null) {
            request.header("X-AnchorMailbox", anchor);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String token() throws Exception {
        HttpResponse<String> response = tokenRequest(DemoTenant.DOMAIN, DemoTenant.APP_ID, DemoTenant.APP_SECRET,
                "https://outlook.office365.com/.default");
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body()).get("access_token").asText();
    }

    private HttpResponse<String> tokenRequest(String tenant, String clientId, String secret, String scope)
            throws Exception {
        String form = "grant_type=client_credentials&client_id=" + enc(clientId) + "&client_secret=" + enc(secret)
                + "&scope=" + enc(scope);
        return HTTP.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/" + tenant + "/oauth2/v2.0/token"))
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .header("Content-Type", "application/x-www-form-urlencoded").build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertAadsts(HttpResponse<String> response, int status, String error, int code) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        JsonNode body = JSON.readTree(response.body());
        assertEquals(error, body.get("error").asText());
        assertEquals(code, body.get("error_codes").get(0).asInt());
        assertTrue(body.get("error_description").asText().startsWith("AADSTS" + code + ":"));
    }

    private HttpResponse<String> control(String method, String path, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
