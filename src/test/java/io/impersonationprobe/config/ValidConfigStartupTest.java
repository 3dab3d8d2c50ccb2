package io.impersonationprobe.config;

import io.impersonationprobe.probe.Outcome;
import io.impersonationprobe.probe.ResultStore;
import io.impersonationprobe.probe.TargetStatus;
import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.testing.Await;
import io.impersonationprobe.testing.Canaries;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control for {@link InvalidConfigFailsStartupTest}: the valid configuration starts, and a token service that
 * refuses connections gives classified {@code TOKEN_FAILED} results instead of stopping the daemon.
 */
class ValidConfigStartupTest {
    @RegisterExtension
    static final QuarkusUnitTest APP = IsolatedApplication.with(configuration());

    @Inject
    ValidatedConfig config;

    @Inject
    ResultStore store;

    private static Map<String, String> configuration() {
        Map<String, String> properties = ConfigFixtures.valid();
        // Nothing here may reach the real Exchange Online: nothing listens on port 1, so requests are refused at once.
        properties.put("impersonation.tenants.contoso.auth.authority-url-override", "http://127.0.0.1:1");
        properties.put("impersonation.tenants.contoso.ews-url", "http://127.0.0.1:1/EWS/Exchange.asmx");
        properties.put("impersonation.tenants.contoso.control-plane.admin-api-url", "http://127.0.0.1:1");
        properties.put("impersonation.groups.canaries.interval", "5s");
        return properties;
    }

    @Test
    void startsAndReportsAnUnreachableTokenServiceAsTokenFailed() {
        assertEquals(1, config.groups().size());
        assertEquals(TenantKind.EXCHANGE_ONLINE, config.tenants().get("contoso").kind());
        TargetStatus status = store.status(ProbeKind.EWS, "canaries/alex.wilber@contoso.com");
        Await.until(Duration.ofSeconds(20), "the first probe", () -> status.last() != null);
        assertEquals(Outcome.TOKEN_FAILED, status.last().outcome(), status.last().detail());
        assertFalse(status.last().success());
        assertTrue(status.last().detail().contains("Connect"), status.last().detail());
        assertFalse(status.last().detail().contains(Canaries.STARTUP_TEST_SECRET));
    }
}
