package io.impersonationprobe.config;

import io.quarkus.test.QuarkusUnitTest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Starts the real application with a valid configuration changed by one property, and expects startup to fail
 * with a message that names that property.
 */
final class StartupFailure {
    private StartupFailure() {
    }

    /** A complete, valid configuration for one Exchange Online tenant and one group. */
    static Map<String, String> validConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.profile", "prod");
        // A free port, so that another build on the machine cannot be in the way.
        config.put("quarkus.http.test-port", "0");
        config.put("simulator.enabled", "false");
        config.put("impersonation.tenants.contoso.kind", "exchange-online");
        config.put("impersonation.tenants.contoso.auth.directory", "contoso.onmicrosoft.com");
        config.put("impersonation.tenants.contoso.auth.client-id", "6731de76-14a6-49ae-97bc-6eba6914391e");
        config.put("impersonation.tenants.contoso.auth.client-secret", io.impersonationprobe.testing.Canaries.STARTUP_TEST_SECRET);
        // Nothing here may reach the real Exchange Online: the admin API is a closed port on this machine.
        config.put("impersonation.tenants.contoso.control-plane.admin-api-url", "http://127.0.0.1:1");
        config.put("impersonation.groups.canaries.tenant", "contoso");
        config.put("impersonation.groups.canaries.mailboxes", "alex.wilber@contoso.com");
        return config;
    }

    static QuarkusUnitTest with(Map<String, String> changes, String property, String problem) {
        return application(changes).assertException(expect(property, problem));
    }

    /** The daemon's own classes (no tests) with the valid configuration changed by {@code changes}. */
    static QuarkusUnitTest application(Map<String, String> changes) {
        Map<String, String> config = validConfig();
        config.putAll(changes);
        QuarkusUnitTest test = new QuarkusUnitTest()
                .withApplicationRoot(jar -> jar.addPackages(true,
                        path -> !path.get().contains("Test") && !path.get().contains("/testing/"),
                        "io.impersonationprobe")
                        // The status page's template: without it the application does not build.
                        .addAsResource("templates/status.html"));
        config.forEach(test::overrideConfigKey);
        return test;
    }

    private static Consumer<Throwable> expect(String property, String problem) {
        return thrown -> {
            StringBuilder messages = new StringBuilder();
            for (Throwable t = thrown; t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
            }
            String text = messages.toString();
            assertTrue(text.contains(property), "startup error names " + property + ":\n" + text);
            assertTrue(text.contains(problem), "startup error says '" + problem + "':\n" + text);
            if (text.contains("startup-test-secret")) {
                fail("the startup error leaks the client secret:\n" + text);
            }
        };
    }
}
