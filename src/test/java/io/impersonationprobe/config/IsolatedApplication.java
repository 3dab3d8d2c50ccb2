package io.impersonationprobe.config;

import io.impersonationprobe.testing.Await;
import io.quarkus.test.QuarkusUnitTest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The daemon's own classes (no tests) as an application of its own, started with the given configuration. Its name
 * has no "Test" in it: classes with one are left out of the application, and the startup tests need this one.
 */
final class IsolatedApplication {
    private IsolatedApplication() {
    }

    static QuarkusUnitTest with(Map<String, String> configuration) {
        Map<String, String> config = new LinkedHashMap<>();
        // The production profile, without the demo tenant and its simulator.
        config.put("quarkus.profile", "prod");
        config.put("simulator.enabled", "false");
        // QuarkusUnitTest does not read the test profile: without a free port two builds on one host collide.
        config.put("quarkus.http.test-port", "0");
        config.putAll(configuration);
        QuarkusUnitTest test = new QuarkusUnitTest()
                .withApplicationRoot(jar -> jar.addPackages(true,
                        path -> !path.get().contains("Test") && !path.get().contains("/testing/"),
                        "io.impersonationprobe")
                        // The status page's template: without it the application does not build.
                        .addAsResource("templates/status.html")
                        .addClass(Await.class));
        config.forEach(test::overrideConfigKey);
        return test;
    }
}
