package io.impersonationprobe.config;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

class UnknownTenantFailsStartupTest {
    @RegisterExtension
    static final QuarkusUnitTest APP = StartupFailure.with(
            Map.of("impersonation.groups.canaries.tenant", "nope"),
            "impersonation.groups.canaries.tenant", "unknown tenant 'nope'; configured tenants: contoso");

    @Test
    void startupFails() {
        fail("the application must not start");
    }
}
