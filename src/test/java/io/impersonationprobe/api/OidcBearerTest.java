package io.impersonationprobe.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.simulator.DemoTenant;
import io.impersonationprobe.simulator.Simulator;
import io.impersonationprobe.testing.SimulatorResource;
import io.impersonationprobe.testing.SimulatorResource.InjectSimulator;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * OIDC bearer tokens from the simulated Entra ID (the demo profile trusts it as issuer, audience
 * {@code api://impersonation-probe}): app roles map to the API's roles; forged, foreign and other-audience tokens
 * are refused.
 */
@QuarkusTest
@WithTestResource(value = SimulatorResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class OidcBearerTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @InjectSimulator
    Simulator simulator;

    @BeforeEach
    void demoTenant() {
        simulator.reset();
    }

    private String token(String appId, String secret, String scope) throws Exception {
        String form = "grant_type=client_credentials&client_id=" + appId + "&client_secret="
                + URLEncoder.encode(secret, StandardCharsets.UTF_8) + "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(simulator.baseUrl() + "/" + DemoTenant.DOMAIN + "/oauth2/v2.0/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body()).get("access_token").asText();
    }

    @Test
    void appRolesGrantTheApiRoles() throws Exception {
        String oncall = token(DemoTenant.ONCALL_APP_ID, DemoTenant.ONCALL_APP_SECRET, DemoTenant.DAEMON_API + "/.default");
        RestAssured.given().auth().oauth2(oncall).get("/api/v1/tenants").then().statusCode(200);
        RestAssured.given().auth().oauth2(oncall).contentType(ContentType.JSON)
                .body("{\"tenant\":\"contoso\",\"mailbox\":\"alex.wilber@contoso.com\"}").post("/api/v1/checks")
                .then().statusCode(200).body("outcome", equalTo("ok"));

        String dashboard = token(DemoTenant.DASHBOARD_APP_ID, DemoTenant.DASHBOARD_APP_SECRET,
                DemoTenant.DAEMON_API + "/.default");
        RestAssured.given().auth().oauth2(dashboard).get("/api/v1/targets").then().statusCode(200);
        RestAssured.given().auth().oauth2(dashboard).contentType(ContentType.JSON)
                .body("{\"tenant\":\"contoso\",\"mailbox\":\"alex.wilber@contoso.com\"}").post("/api/v1/checks")
                .then().statusCode(403);
    }

    @Test
    void forgedOrForeignTokensAreRefused() throws Exception {
        // A token for EWS, from the same issuer's keys: the wrong audience (and the v1 issuer).
        String ews = token(DemoTenant.APP_ID, DemoTenant.APP_SECRET, "https://outlook.office365.com/.default");
        RestAssured.given().auth().oauth2(ews).get("/api/v1/targets").then().statusCode(401)
                .contentType(Problem.MEDIA_TYPE);

        String oncall = token(DemoTenant.ONCALL_APP_ID, DemoTenant.ONCALL_APP_SECRET, DemoTenant.DAEMON_API + "/.default");
        String[] parts = oncall.split("\\.");
        // The same token with its roles claim rewritten: the signature no longer matches.
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"roles\":[\"ImpersonationProbe.Read\",\"ImpersonationProbe.Check\"]", "\"roles\":[\"Anything\"]");
        String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        RestAssured.given().auth().oauth2(forged).get("/api/v1/targets").then().statusCode(401);
        // An unsigned token ("alg": "none") is never accepted.
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes())
                + "." + parts[1] + ".";
        RestAssured.given().auth().oauth2(none).get("/api/v1/targets").then().statusCode(401);
    }
}
