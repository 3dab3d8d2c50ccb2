package io.impersonationprobe.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulated on-premises EWS decides impersonation from the directory, case by case of the demo, and a change
 * (through the control API or an LDAP write) reaches it once the RBAC cache delay has passed on the simulator's
 * clock.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnPremisesEwsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CACHE = Duration.ofMinutes(5);
    private static final Pattern RESPONSE_CODE = Pattern.compile("ResponseCode[^>]*>(\\w+)<");

    private Simulator simulator;

    @BeforeAll
    void start() {
        simulator = Simulator.start(SimulatorOptions.defaults().withOnPremisesCacheDelay(CACHE));
    }

    @AfterAll
    void stop() {
        simulator.close();
    }

    @BeforeEach
    void reset() {
        simulator.reset();
    }

    @Test
    void eachDemoCaseIsDecidedFromTheDirectory() throws Exception {
        String probe = "FABRIKAM\\svc-probe:" + OnPremisesDemo.PROBE_PASSWORD;
        assertEquals("NoError", code(probe, "room.alder@fabrikam.com"), "svc-probe ∈ EWS Apps ∈ Service Accounts, scope Rooms");
        assertEquals("NoError", code(probe, "room.birch@fabrikam.com"));
        assertEquals("NoError", code(probe, "amy.cole@fabrikam.com"), "scope Sales");
        assertEquals("NoError", code(probe, "victor.hale@fabrikam.com"), "the leak: the VP of Sales is in Sales");
        assertEquals("ErrorImpersonateUserDenied", code(probe, "boardroom@fabrikam.com"),
                "a room, but inside the exclusive scope Board");
        assertEquals("ErrorImpersonateUserDenied", code(probe, "clara.dunn@fabrikam.com"));
        assertEquals("ErrorImpersonateUserDenied", code(probe, "fiona.ledger@fabrikam.com"), "Finance's assignment is disabled");
        assertEquals("ErrorNonExistentMailbox", code(probe, "nobody@fabrikam.com"));

        String booking = "svc-booking@fabrikam.local:" + OnPremisesDemo.BOOKING_PASSWORD;
        assertEquals("NoError", code(booking, "boardroom@fabrikam.com"), "the exclusive assignment reaches it");
        assertEquals("ErrorImpersonateUserDenied", code(booking, "room.alder@fabrikam.com"));

        String admin = "Administrator:" + OnPremisesDemo.ADMIN_PASSWORD;
        assertEquals("ErrorImpersonateUserDenied", code(admin, "amy.cole@fabrikam.com"),
                "Organization Management's assignment only delegates");

        assertEquals(401, ews("svc-probe:wrong", "amy.cole@fabrikam.com").statusCode());
        assertEquals(401, ews(null, "amy.cole@fabrikam.com").statusCode());
    }

    @Test
    void aChangeThroughTheControlApiTakesEffectAfterTheCacheDelay() throws Exception {
        String probe = "svc-probe:" + OnPremisesDemo.PROBE_PASSWORD;
        assertEquals(204, control("DELETE", "/groups/EWS%20Apps/members/svc-probe", null).statusCode());
        assertEquals(200, control("PUT", "/role-assignments/Finance%20impersonation", "{\"enabled\":true}").statusCode());
        assertEquals(200, control("PUT", "/management-scopes/Sales",
                "{\"recipientFilter\":\"(Department -eq 'Sales') -and (Title -notlike 'VP*')\"}").statusCode());
        JsonNode state = JSON.readTree(control("GET", "/state", null).body());
        assertTrue(state.toString().contains("\"configured\":false"), state.toString());

        simulator.tenant().clock().advance(CACHE.minusSeconds(10));
        assertEquals("NoError", code(probe, "room.alder@fabrikam.com"), "the cache still holds the old picture");
        assertEquals("ErrorImpersonateUserDenied", code(probe, "fiona.ledger@fabrikam.com"));
        assertEquals("NoError", code(probe, "victor.hale@fabrikam.com"));

        simulator.tenant().clock().advance(Duration.ofSeconds(20));
        assertEquals("ErrorImpersonateUserDenied", code(probe, "room.alder@fabrikam.com"), "out of the nested group");
        assertEquals("NoError", code(probe, "fiona.ledger@fabrikam.com"), "enabled");
        assertEquals("ErrorImpersonateUserDenied", code(probe, "victor.hale@fabrikam.com"), "the leak is fixed");
        assertEquals("NoError", code(probe, "amy.cole@fabrikam.com"));

        assertEquals(201, control("POST", "/role-assignments",
                "{\"name\":\"Everything\",\"user\":\"svc-probe\"}").statusCode());
        assertEquals(204, control("DELETE", "/role-assignments/Finance%20impersonation", null).statusCode());
        simulator.tenant().clock().advance(CACHE);
        assertEquals("NoError", code(probe, "fiona.ledger@fabrikam.com"), "an unscoped assignment: the organisation");
        assertEquals("NoError", code(probe, "room.alder@fabrikam.com"));
        assertEquals("ErrorImpersonateUserDenied", code(probe, "clara.dunn@fabrikam.com"), "the Board is still shielded");
        assertEquals("ErrorImpersonateUserDenied", code(probe, "boardroom@fabrikam.com"));

        assertEquals(400, control("PUT", "/management-scopes/Sales", "{\"recipientFilter\":\"Colour -eq 'red'\"}")
                .statusCode());
        assertEquals(404, control("PUT", "/role-assignments/Nothing", "{\"enabled\":true}").statusCode());
        assertEquals(409, control("POST", "/role-assignments", "{\"name\":\"Everything\",\"user\":\"svc-probe\"}")
                .statusCode());
    }

    @Test
    void anLdapWriteTakesEffectAfterTheCacheDelayToo() throws Exception {
        String probe = "svc-probe:" + OnPremisesDemo.PROBE_PASSWORD;
        try (LDAPConnection admin = new LDAPConnection("127.0.0.1", simulator.ldapPort())) {
            admin.bind(OnPremisesDemo.ADMIN_DN, OnPremisesDemo.ADMIN_PASSWORD);
            admin.modify("CN=Board,OU=Groups,DC=fabrikam,DC=local", new Modification(ModificationType.DELETE, "member",
                    "CN=Boardroom,OU=Resources,DC=fabrikam,DC=local"));
        }
        assertEquals("ErrorImpersonateUserDenied", code(probe, "boardroom@fabrikam.com"));
        simulator.tenant().clock().advance(CACHE.plusSeconds(1));
        assertEquals("NoError", code(probe, "boardroom@fabrikam.com"), "out of the Board, the Rooms scope reaches it");
    }

    /** The response code of a GetFolder as the account: NoError (200) or the SOAP fault's code (500). */
    private String code(String credentials, String mailbox) throws Exception {
        HttpResponse<String> response = ews(credentials, mailbox);
        Matcher code = RESPONSE_CODE.matcher(response.body());
        return code.find() ? code.group(1) : "HTTP " + response.statusCode();
    }

    private HttpResponse<String> ews(String credentials, String mailbox) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + OnPremisesDemo.EWS_PATH))
                .POST(HttpRequest.BodyPublishers.ofString(SimulatorConformanceTest.getFolder(mailbox, "IdOnly", "inbox")))
                .header("Content-Type", "text/xml; charset=utf-8");
        if (credentials != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> control(String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/control/on-premises" + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
    }
}
