package io.impersonationprobe.config;

import io.quarkus.test.QuarkusUnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

class MalformedMailboxFailsStartupTest {
    @RegisterExtension
    static final QuarkusUnitTest APP = StartupFailure.with(
            Map.of("impersonation.groups.canaries.mailboxes", "alex.wilber@contoso.com,bob@@contoso.com"),
            "impersonation.groups.canaries.mailboxes[1]", "'bob@@contoso.com' is not a well-formed SMTP address");

    @Test
    void startupFails() {
        fail("the application must not start");
    }
}
