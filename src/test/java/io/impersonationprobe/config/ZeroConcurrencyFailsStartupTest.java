package io.impersonationprobe.config;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

class ZeroConcurrencyFailsStartupTest {
    @RegisterExtension
    static final QuarkusUnitTest APP = StartupFailure.with(
            Map.of("impersonation.tenants.contoso.concurrency", "0"),
            "impersonation.tenants.contoso.concurrency", "is 0; it must be between 1 and 27");

    @Test
    void startupFails() {
        fail("the application must not start");
    }
}
