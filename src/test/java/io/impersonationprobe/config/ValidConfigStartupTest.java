package io.impersonationprobe.config;

import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.probe.Outcome;
import io.impersonationprobe.probe.ResultStore;
import io.impersonationprobe.probe.TargetStatus;
import io.quarkus.test.QuarkusUnitTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control for the startup failure tests: the same configuration without the fault starts, and a token service
 * that refuses connections gives classified {@code TOKEN_FAILED} results instead of stopping the daemon.
 */
class ValidConfigStartupTest {
    // Nothing listens on port 1: token requests are refused at once, on this machine.
    @RegisterExtension
    static final QuarkusUnitTest APP = StartupFailure.application(Map.of(
            "impersonation.tenants.contoso.auth.authority-url-override", "http://127.0.0.1:1",
            "impersonation.tenants.contoso.ews-url", "http://127.0.0.1:1/EWS/Exchange.asmx",
            "impersonation.groups.canaries.interval", "5s"));

    @Inject
    ValidatedConfig config;

    @Inject
    ResultStore store;

    @Test
    void startsAndReportsAnUnreachableTokenServiceAsTokenFailed() throws InterruptedException {
        assertEquals(1, config.groups().size());
        assertEquals(TenantKind.EXCHANGE_ONLINE, config.tenants().get("contoso").kind());
        TargetStatus status = store.status(ProbeKind.EWS, "canaries/alex.wilber@contoso.com");
        Instant end = Instant.now().plus(Duration.ofSeconds(20));
        while (status.last() == null && Instant.now().isBefore(end)) {
            Thread.sleep(100);
        }
        assertNotNull(status.last(), "probed within 20 s");
        assertEquals(Outcome.TOKEN_FAILED, status.last().outcome(), status.last().detail());
        assertFalse(status.last().success());
        assertTrue(status.last().detail().contains("Connect"), status.last().detail());
        assertFalse(status.last().detail().contains("startup-test-secret"));
    }
}
