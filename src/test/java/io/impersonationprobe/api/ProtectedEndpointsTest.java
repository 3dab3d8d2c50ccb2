package io.impersonationprobe.api;

import io.impersonationprobe.testing.SimulatorResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.hamcrest.Matchers.containsString;

/** With protection switched on, {@code /q/metrics} and the status page need a key with the read role. */
@QuarkusTest
@TestProfile(ProtectedEndpointsTest.Protected.class)
@WithTestResource(value = SimulatorResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ProtectedEndpointsTest {

    public static class Protected implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("impersonation.api.protect-metrics", "true", "impersonation.api.protect-status-page", "true");
        }
    }

    @Test
    void metricsNeedTheReadRole() {
        RestAssured.get("/q/metrics").then().statusCode(401);
        RestAssured.given().header("Authorization", "Bearer test-checker-key").get("/q/metrics").then().statusCode(403);
        RestAssured.given().header("Authorization", "Bearer test-reader-key").get("/q/metrics").then().statusCode(200)
                .body(containsString("impersonation_targets"));
    }

    @Test
    void statusPageNeedsTheReadRole() {
        RestAssured.get("/").then().statusCode(401);
        RestAssured.given().header("X-API-Key", "test-checker-key").get("/").then().statusCode(403);
        RestAssured.given().header("X-API-Key", "test-reader-key").get("/").then().statusCode(200)
                .body(containsString("impersonation-probe"));
    }

    @Test
    void healthStaysOpen() {
        RestAssured.get("/q/health/live").then().statusCode(200);
    }
}
