package io.impersonationprobe.config;

import io.impersonationprobe.testing.Canaries;
import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real application stops at startup with the messages {@link InvalidConfigTest} expects: Quarkus runs the
 * constraints of {@link ProbeConfig} as it maps the configuration. The fixtures here each change the valid
 * configuration in another property, so together they put every kind of constraint to work in one start.
 */
class InvalidConfigFailsStartupTest {
    private static final List<String> FIXTURES = List.of(
            "invalid-tenant-concurrency-high",
            "invalid-auth-token-timeout-zero",
            "invalid-control-plane-interval-short",
            "invalid-group-interval-short",
            "invalid-probe-timeout-long",
            "invalid-scheduler-jitter-high",
            "invalid-sharding-replicas-zero",
            "invalid-api-checks-allowed-domain");

    @RegisterExtension
    static final QuarkusUnitTest APP = IsolatedApplication.with(merged()).assertException(thrown -> {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        String text = messages.toString();
        for (String fixture : FIXTURES) {
            String expected = InvalidConfigTest.message(fixture);
            assertTrue(text.contains(expected), fixture + ": the startup error says '" + expected + "':\n" + text);
        }
        assertFalse(text.contains(Canaries.STARTUP_TEST_SECRET), "the startup error leaks the client secret:\n" + text);
    });

    private static Map<String, String> merged() {
        Map<String, String> properties = new LinkedHashMap<>();
        FIXTURES.forEach(fixture -> properties.putAll(ConfigFixtures.properties(fixture)));
        return properties;
    }

    @Test
    void startupFails() {
        fail("the application must not start");
    }
}
