package io.impersonationprobe.config;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

class PlainHttpEwsUrlFailsStartupTest {
    @RegisterExtension
    static final QuarkusUnitTest APP = StartupFailure.with(
            Map.of("impersonation.tenants.contoso.ews-url", "http://mail.contoso.com/EWS/Exchange.asmx"),
            "impersonation.tenants.contoso.ews-url", "uses plain http");

    @Test
    void startupFails() {
        fail("the application must not start");
    }
}
