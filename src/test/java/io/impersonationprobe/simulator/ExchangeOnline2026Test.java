package io.impersonationprobe.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The simulator answers as Exchange Online does in December 2026 (FACTS.md): its admin API answers have the property
 * names and types Microsoft documents (fixtures in {@code admin-api-documented/}, written from the documentation,
 * not from the simulator), its EWS endpoint decides with the rules enforced since 2026-10-10 and refuses with the
 * documented 403 and {@code X-EWS-Policy-Reason}, and gate changes are enforced after their documented delays on the
 * simulator's clock while Get-OrganizationConfig reads them back at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExchangeOnline2026Test {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String OTHER_APP = "11111111-2222-3333-4444-555555555555";
    static final String REASON = "X-EWS-Policy-Reason";
    static final String DISABLED = "EWS is disabled for this user or tenant";
    static final String BLOCKED = "EWS is blocked by policy for this user or tenant";
    static final String ALEX = "alex.wilber@contoso.com";

    private Simulator simulator;
    private JsonNode shapes;

    @BeforeAll
    void start() throws IOException {
        simulator = Simulator.start(SimulatorOptions.defaults());
        shapes = fixture("shapes.json");
    }

    @AfterAll
    void stop() {
        simulator.close();
    }

    @BeforeEach
    void demoTenant() {
        simulator.reset();
    }

    // ------------------------------------------------------------------------------------------------ admin API

    @Test
    void aDefaultTenantHasEwsEnabledNullAndNoList() throws Exception {
        JsonNode config = cmdlet("Get-OrganizationConfig", Map.of()).at("/value/0");
        assertShape("Get-OrganizationConfig", config);
        assertMatches(fixture("organizationconfig-default.json").at("/value/0"), config);
        assertTrue(config.get("EwsEnabled").isNull(), "EwsEnabled is $null by default: " + config);
    }

    @Test
    void theAllowListComesOnlyWithTheSwitchAndAsOneString() throws Exception {
        control("PUT", "/control/org", "{\"ewsEnabled\":true,\"ewsAllowedAppIds\":[\"" + DemoTenant.APP_ID + "\",\""
                + OTHER_APP + "\"]}");
        JsonNode plain = cmdlet("Get-OrganizationConfig", Map.of()).at("/value/0");
        assertShape("Get-OrganizationConfig", plain);
        assertMatches(fixture("organizationconfig-allow-list-without-switch.json").at("/value/0"), plain);

        JsonNode withSwitch = cmdlet("Get-OrganizationConfig", Map.of("RetrieveEwsOperationAccessPolicy", true))
                .at("/value/0");
        assertShape("Get-OrganizationConfig", withSwitch);
        assertMatches(fixture("organizationconfig-allow-list-with-switch.json").at("/value/0"), withSwitch);

        // Set-OrganizationConfig takes the list as one comma-separated string too, and reads it back the same way.
        control("PUT", "/control/org", "{\"ewsAllowedAppIds\":\"" + OTHER_APP + ", " + DemoTenant.APP_ID + "\"}");
        assertEquals(OTHER_APP + "," + DemoTenant.APP_ID, cmdlet("Get-OrganizationConfig",
                Map.of("RetrieveEwsOperationAccessPolicy", true)).at("/value/0/EwsAllowedAppIDs").asText());
    }

    @Test
    void theUserAgentPolicyIsShapedAsExchangeShapesIt() throws Exception {
        assertEquals(200, control("PUT", "/control/org", "{\"ewsEnabled\":false,\"ewsApplicationAccessPolicy\":"
                + "\"EnforceAllowList\",\"ewsAllowList\":[\"Outlook*\",\"impersonation-probe*\"]}").statusCode());
        JsonNode config = cmdlet("Get-OrganizationConfig", Map.of()).at("/value/0");
        assertShape("Get-OrganizationConfig", config);
        assertMatches(fixture("organizationconfig-user-agent-allow-list.json").at("/value/0"), config);
        assertEquals(200, control("PUT", "/control/org", "{\"ewsEnabled\":null}").statusCode());
        assertTrue(cmdlet("Get-OrganizationConfig", Map.of()).at("/value/0/EwsEnabled").isNull(), "back to $null");
        assertEquals(400, control("PUT", "/control/org", "{\"ewsEnabled\":\"yes\"}").statusCode());
    }

    @Test
    void roleAssignmentsNameServicePrincipalsByObjectId() throws Exception {
        List<JsonNode> rows = rows(cmdlet("Get-ManagementRoleAssignment", Map.of()));
        rows.forEach(row -> assertShape("Get-ManagementRoleAssignment", row));
        JsonNode own = row(rows, "Name", DemoTenant.ASSIGNMENT);
        assertEquals(DemoTenant.APP_OBJECT_ID, own.get("RoleAssignee").asText(), "the ObjectId, not the AppId");
        assertEquals("ServicePrincipal", own.get("RoleAssigneeType").asText());
        assertEquals(DemoTenant.SCOPE, own.get("CustomResourceScope").asText());
        JsonNode graph = row(rows, "Name", DemoTenant.GRAPH_ASSIGNMENT);
        assertEquals("ServicePrincipal", graph.get("RoleAssigneeType").asText(), "every RBAC for Applications role");
        JsonNode crm = row(rows, "Name", DemoTenant.CRM_ASSIGNMENT);
        assertEquals(DemoTenant.CRM_OBJECT_ID, crm.get("RoleAssignee").asText(), "another app's grant is its own");
        assertFalse(rows.stream().anyMatch(r -> r.get("RoleAssignee").asText().equalsIgnoreCase(DemoTenant.APP_ID)),
                "no row names the app by its AppId");

        // New-ManagementRoleAssignment -App takes the AppId too; the answer names the principal by its ObjectId.
        JsonNode created = cmdlet("New-ManagementRoleAssignment", Map.of("Name", "by app ID",
                "Role", "Application Mail.Read", "App", DemoTenant.APP_ID)).at("/value/0");
        assertShape("Get-ManagementRoleAssignment", created);
        assertEquals(DemoTenant.APP_OBJECT_ID, created.get("RoleAssignee").asText());
    }

    @Test
    void servicePrincipalsMapAppIdObjectIdAndDisplayName() throws Exception {
        List<JsonNode> all = rows(cmdlet("Get-ServicePrincipal", Map.of()));
        all.forEach(row -> assertShape("Get-ServicePrincipal", row));
        JsonNode own = row(all, "AppId", DemoTenant.APP_ID);
        assertEquals(DemoTenant.APP_OBJECT_ID, own.get("ObjectId").asText());
        assertEquals(DemoTenant.APP_DISPLAY_NAME, own.get("DisplayName").asText());
        for (String identity : List.of(DemoTenant.APP_ID, DemoTenant.APP_OBJECT_ID, DemoTenant.APP_DISPLAY_NAME)) {
            JsonNode one = cmdlet("Get-ServicePrincipal", Map.of("Identity", identity)).at("/value/0");
            assertEquals(DemoTenant.APP_ID, one.get("AppId").asText(), "-Identity " + identity);
        }
        for (JsonNode row : all) {
            assertNotEquals(row.get("AppId").asText(), row.get("ObjectId").asText(), "two different IDs: " + row);
        }
        assertEquals(400, admin(body("Get-ServicePrincipal", Map.of("Identity", "no such app"))).statusCode());
    }

    @Test
    void casMailboxesCarryTheirOwnEwsEnabledNullByDefault() throws Exception {
        JsonNode alex = cmdlet("Get-CASMailbox", Map.of("Identity", ALEX)).at("/value/0");
        assertShape("Get-CASMailbox", alex);
        assertTrue(alex.get("EwsEnabled").isNull(), alex.toString());
        assertEquals(200, control("PUT", "/control/mailboxes/" + ALEX, "{\"ewsEnabled\":false}").statusCode());
        assertFalse(cmdlet("Get-CASMailbox", Map.of("Identity", "alex.wilber")).at("/value/0/EwsEnabled").asBoolean(true),
                "by alias too");
        assertEquals(400, admin(body("Get-CASMailbox", Map.of("Identity", "nobody@contoso.com"))).statusCode());
        assertEquals(404, control("PUT", "/control/mailboxes/nobody@contoso.com", "{\"ewsEnabled\":false}").statusCode());
        assertEquals(400, control("PUT", "/control/mailboxes/" + ALEX, "{\"licence\":\"E4\"}").statusCode());
    }

    // ------------------------------------------------------------------------------------------------ EWS and Graph

    @Test
    void theRulesOf2026DecideEws() throws Exception {
        assertEquals(200, ewsTo(ALEX).statusCode(), "EwsEnabled $null: allowed");
        control("PUT", "/control/org", "{\"ewsAllowedAppIds\":\"" + OTHER_APP + "\"}");
        assertEquals(200, ewsTo(ALEX).statusCode(), "$null ignores the list");

        control("PUT", "/control/org", "{\"ewsEnabled\":true,\"ewsAllowedAppIds\":null}");
        assertRefused(ewsTo(ALEX), BLOCKED, "True with an empty list blocks every app");
        control("PUT", "/control/org", "{\"ewsAllowedAppIds\":\"" + OTHER_APP + "\"}");
        assertRefused(ewsTo(ALEX), BLOCKED, "True with a list that does not name the app");
        control("PUT", "/control/org", "{\"ewsAllowedAppIds\":\"" + OTHER_APP + "," + DemoTenant.APP_ID.toUpperCase() + "\"}");
        assertEquals(200, ewsTo(ALEX).statusCode(), "listed, case ignored");

        control("PUT", "/control/org", "{\"ewsApplicationAccessPolicy\":\"EnforceAllowList\",\"ewsAllowList\":[\"Outlook*\"]}");
        assertRefused(ewsTo(ALEX), BLOCKED, "listed, but the user-agent policy is a second gate");
        control("PUT", "/control/org", "{\"ewsApplicationAccessPolicy\":null}");
        assertEquals(200, ewsTo(ALEX).statusCode());

        control("PUT", "/control/org", "{\"ewsEnabled\":false}");
        assertRefused(ewsTo(ALEX), DISABLED, "False blocks every app, listed or not");
    }

    @Test
    void aMailboxsOwnGatesRefuseItAlone() throws Exception {
        control("PUT", "/control/mailboxes/" + ALEX, "{\"ewsEnabled\":false}");
        assertRefused(ewsTo(ALEX), DISABLED, "Set-CASMailbox -EwsEnabled $false");
        assertEquals(200, ewsTo("megan.bowen@contoso.com").statusCode(), "the other mailboxes are not concerned");
        control("PUT", "/control/mailboxes/" + ALEX, "{\"ewsEnabled\":true}");
        control("PUT", "/control/org", "{\"ewsEnabled\":false}");
        assertRefused(ewsTo(ALEX), DISABLED, "the organisation's False overrides the mailbox's True");
        control("PUT", "/control/org", "{\"ewsEnabled\":null}");

        // The demo's frontline worker, licensed Kiosk: a bare 403, no policy header. Granting her changes nothing.
        control("POST", "/control/role-assignments", "{\"name\":\"everyone\",\"role\":\"Application EWS.AccessAsApp\","
                + "\"app\":\"" + DemoTenant.APP_OBJECT_ID + "\"}");
        HttpResponse<String> kiosk = ewsTo(DemoTenant.KIOSK_MAILBOX);
        assertEquals(403, kiosk.statusCode(), kiosk.body());
        assertTrue(kiosk.headers().firstValue(REASON).isEmpty(), kiosk.headers().map().toString());
        for (String licence : List.of("F1", "f3")) {
            control("PUT", "/control/mailboxes/" + ALEX, "{\"licence\":\"" + licence + "\"}");
            assertEquals(403, ewsTo(ALEX).statusCode(), licence);
        }
        control("PUT", "/control/mailboxes/" + ALEX, "{\"licence\":\"E3\"}");
        assertEquals(200, ewsTo(ALEX).statusCode());
    }

    @Test
    void graphAnswersTheUserAgentPolicyButNotTheAppList() throws Exception {
        control("PUT", "/control/org", "{\"ewsEnabled\":true,\"ewsAllowedAppIds\":null}");
        assertEquals(200, graph(ALEX).statusCode(), "EwsAllowedAppIDs applies to EWS only");
        control("PUT", "/control/org", "{\"ewsApplicationAccessPolicy\":\"EnforceBlockList\",\"ewsBlockList\":[\"probe-agent*\"]}");
        HttpResponse<String> blocked = graph(ALEX);
        assertEquals(403, blocked.statusCode());
        assertEquals("Access to OData is disabled.", JSON.readTree(blocked.body()).at("/error/message").asText());
    }

    @Test
    void gateChangesAreEnforcedAfterTheirDocumentedDelaysAndReadBackAtOnce() throws Exception {
        HttpResponse<String> delays = control("PUT", "/control/propagation",
                "{\"ewsEnabledDelaySeconds\":3600,\"allowListDelaySeconds\":86400}");
        assertEquals(200, delays.statusCode(), delays.body());
        assertEquals(0, JSON.readTree(delays.body()).get("propagationDelaySeconds").asLong(), "the grant delay stays");

        JsonNode changed = JSON.readTree(control("PUT", "/control/org", "{\"ewsEnabled\":false}").body());
        assertFalse(changed.at("/org/ewsEnabled").asBoolean(true), "configured at once");
        assertTrue(changed.at("/orgEnforced/ewsEnabled").isNull(), "enforced later: " + changed);
        assertEquals("EwsEnabled", changed.at("/orgPending/0/setting").asText());
        assertFalse(cmdlet("Get-OrganizationConfig", Map.of()).at("/value/0/EwsEnabled").asBoolean(true),
                "Get-OrganizationConfig reads the new value back at once");
        assertEquals(200, ewsTo(ALEX).statusCode(), "EWS still enforces the old one");
        advance("PT59M");
        assertEquals(200, ewsTo(ALEX).statusCode(), "59 minutes later");
        advance("PT1M");
        assertRefused(ewsTo(ALEX), DISABLED, "an hour later");

        control("PUT", "/control/org", "{\"ewsEnabled\":true,\"ewsAllowedAppIds\":\"" + DemoTenant.APP_ID + "\"}");
        advance("PT1H");
        assertRefused(ewsTo(ALEX), BLOCKED, "EwsEnabled True is enforced, the new list not yet: still empty");
        advance("PT22H59M");
        assertRefused(ewsTo(ALEX), BLOCKED, "23 h 59 min after the list was set");
        advance("PT1M");
        assertEquals(200, ewsTo(ALEX).statusCode(), "24 h after the list was set");
        assertEquals(0, state().get("orgPending").size(), "nothing pending any more");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private void assertRefused(HttpResponse<String> response, String reason, String why) {
        assertEquals(403, response.statusCode(), why + ": " + response.body());
        assertEquals(List.of(reason), response.headers().allValues(REASON), why);
    }

    /** Every documented property is there, as one of the JSON types Microsoft documents for it. */
    private void assertShape(String cmdlet, JsonNode row) {
        shapes.get(cmdlet).fields().forEachRemaining(property -> {
            JsonNode value = row.get(property.getKey());
            if (value == null) {
                fail(cmdlet + " lacks " + property.getKey() + ": " + row);
            }
            String type = value.isNull() ? "null" : value.isBoolean() ? "boolean" : value.isTextual() ? "string"
                    : value.isArray() ? "array" : value.getNodeType().name().toLowerCase(Locale.ROOT);
            List<String> allowed = new ArrayList<>();
            property.getValue().forEach(t -> allowed.add(t.asText()));
            assertTrue(allowed.contains(type), cmdlet + "." + property.getKey() + " is " + type + ", documented "
                    + allowed + ": " + row);
        });
    }

    /** The simulator's object has every value the fixture gives (a fixture's null: null or absent). */
    private static void assertMatches(JsonNode expected, JsonNode actual) {
        expected.fields().forEachRemaining(property -> {
            JsonNode value = actual.get(property.getKey());
            if (property.getValue().isNull()) {
                assertTrue(value == null || value.isNull(), property.getKey() + " must be empty: " + actual);
            } else {
                assertEquals(property.getValue(), value, property.getKey() + " in " + actual);
            }
        });
    }

    private static JsonNode fixture(String name) throws IOException {
        try (InputStream in = ExchangeOnline2026Test.class.getResourceAsStream("/admin-api-documented/" + name)) {
            return JSON.readTree(in);
        }
    }

    private static List<JsonNode> rows(JsonNode answer) {
        List<JsonNode> rows = new ArrayList<>();
        answer.get("value").forEach(rows::add);
        return rows;
    }

    private static JsonNode row(List<JsonNode> rows, String property, String value) {
        return rows.stream().filter(r -> value.equals(r.path(property).asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no row with " + property + " " + value + " in " + rows));
    }

    private void advance(String by) throws Exception {
        assertEquals(200, control("POST", "/control/clock", "{\"advance\":\"" + by + "\"}").statusCode());
    }

    private JsonNode state() throws Exception {
        return JSON.readTree(control("GET", "/control/state", null).body());
    }

    private static String body(String cmdlet, Map<String, Object> parameters) throws IOException {
        return JSON.writeValueAsString(Map.of("CmdletInput", Map.of("CmdletName", cmdlet, "Parameters", parameters)));
    }

    private JsonNode cmdlet(String cmdlet, Map<String, Object> parameters) throws Exception {
        HttpResponse<String> response = admin(body(cmdlet, parameters));
        assertEquals(200, response.statusCode(), cmdlet + ": " + response.body());
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> admin(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/adminapi/beta/" + DemoTenant.DIRECTORY_ID
                        + "/InvokeCommand"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token("https://outlook.office365.com/.default"))
                .header("X-AnchorMailbox", "APP:SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}@" + DemoTenant.DOMAIN)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> ewsTo(String mailbox) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/EWS/Exchange.asmx"))
                .POST(HttpRequest.BodyPublishers.ofString(SimulatorConformanceTest.getFolder(mailbox, "IdOnly", "inbox")))
                .header("Content-Type", "text/xml; charset=utf-8")
                .header("User-Agent", "probe-agent/1.0")
                .header("X-AnchorMailbox", mailbox)
                .header("Authorization", "Bearer " + token("https://outlook.office365.com/.default"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> graph(String mailbox) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/v1.0/users/" + mailbox
                        + "/mailFolders/inbox?$select=id"))
                .header("User-Agent", "probe-agent/1.0")
                .header("Authorization", "Bearer " + token("https://graph.microsoft.com/.default")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String token(String scope) throws Exception {
        String form = "grant_type=client_credentials&client_id=" + enc(DemoTenant.APP_ID) + "&client_secret="
                + enc(DemoTenant.APP_SECRET) + "&scope=" + enc(scope);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/"
                        + DemoTenant.DOMAIN + "/oauth2/v2.0/token"))
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .header("Content-Type", "application/x-www-form-urlencoded").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body()).get("access_token").asText();
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
