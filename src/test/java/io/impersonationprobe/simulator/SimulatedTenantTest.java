package io.impersonationprobe.simulator;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Access follows the model: scope, Entra consent, and a propagation delay both ways, as in Exchange Online. */
class SimulatedTenantTest {
    static final Duration DELAY = Duration.ofMinutes(30);

    private static SimulatedTenant tenant() {
        return new SimulatedTenant(DELAY);
    }

    private static boolean canReach(SimulatedTenant tenant, String smtp) {
        return tenant.canActAs(DemoTenant.APP_ID, List.of(), tenant.mailbox(smtp).orElseThrow());
    }

    @Test
    void theDemoScopeCoversSalesAndSupportAndLeaksTheSalesVp() {
        SimulatedTenant tenant = tenant();
        assertTrue(canReach(tenant, "alex.wilber@contoso.com"));
        assertTrue(canReach(tenant, "support@contoso.com"));
        assertFalse(canReach(tenant, "patti.fernandez@contoso.com"));
        assertFalse(canReach(tenant, "boardroom@contoso.com"));
        assertTrue(canReach(tenant, "nestor.wilke@contoso.com"), "the scope leak the demo shows");
    }

    @Test
    void aNewAssignmentTakesEffectOnlyAfterTheDelay() {
        SimulatedTenant tenant = tenant();
        tenant.addScope("Executives", "MemberOfGroup -eq 'Leadership'");
        tenant.addAssignment("exec", SimulatedTenant.EWS_APP_ROLE, DemoTenant.APP_ID, "Executives");
        assertFalse(canReach(tenant, "patti.fernandez@contoso.com"), "pending");
        tenant.advanceClock(DELAY.minusSeconds(1));
        assertFalse(canReach(tenant, "patti.fernandez@contoso.com"), "still pending");
        tenant.advanceClock(Duration.ofSeconds(1));
        assertTrue(canReach(tenant, "patti.fernandez@contoso.com"), "effective");
    }

    @Test
    void aRemovedAssignmentKeepsGrantingUntilTheDelayHasPassedEvenWhenReAdded() {
        SimulatedTenant tenant = tenant();
        assertTrue(tenant.removeAssignment(DemoTenant.ASSIGNMENT));
        assertTrue(canReach(tenant, "alex.wilber@contoso.com"), "revocation pending");
        // Re-adding under the same name starts a new grant; the old one still counts until it is revoked.
        tenant.addAssignment(DemoTenant.ASSIGNMENT, SimulatedTenant.EWS_APP_ROLE, DemoTenant.APP_ID, DemoTenant.SCOPE);
        assertTrue(canReach(tenant, "alex.wilber@contoso.com"));
        assertThrows(IllegalStateException.class, () -> tenant.removeScope(DemoTenant.SCOPE));
        tenant.removeAssignment(DemoTenant.ASSIGNMENT);
        tenant.advanceClock(DELAY);
        assertFalse(canReach(tenant, "alex.wilber@contoso.com"), "revoked");
        assertTrue(tenant.removeScope(DemoTenant.SCOPE), "no assignment uses the scope any more");
        assertFalse(tenant.removeAssignment(DemoTenant.ASSIGNMENT), "already removed");
    }

    @Test
    void entraConsentedFullAccessOverridesEveryScope() {
        SimulatedTenant tenant = tenant();
        assertTrue(tenant.canActAs("any-app", List.of("full_access_as_app"),
                tenant.mailbox("patti.fernandez@contoso.com").orElseThrow()));
        assertFalse(tenant.canActAs("any-app", List.of(), tenant.mailbox("alex.wilber@contoso.com").orElseThrow()),
                "another app has no assignment");
    }

    @Test
    void theClockOnlyMovesForward() {
        assertThrows(IllegalArgumentException.class, () -> tenant().advanceClock(Duration.ofSeconds(-1)));
        assertEquals(DELAY.toSeconds(), tenant().snapshot().get("propagationDelaySeconds"));
    }
}
