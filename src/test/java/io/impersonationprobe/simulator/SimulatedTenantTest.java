package io.impersonationprobe.simulator;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tenant as a whole: the movable clock, and a reset that brings back the demo tenant exactly. */
class SimulatedTenantTest {

    @Test
    void theClockOnlyMovesForwardUntilAReset() {
        SimulatedTenant tenant = new SimulatedTenant(Duration.ZERO);
        Instant before = tenant.clock().instant();
        assertThrows(IllegalArgumentException.class, () -> tenant.clock().advance(Duration.ofSeconds(-1)));
        Instant moved = tenant.clock().advance(Duration.ofHours(2));
        assertTrue(Duration.between(before, moved).compareTo(Duration.ofHours(2)) >= 0, before + " -> " + moved);
        assertEquals(Duration.ofHours(2), tenant.clock().offset());
        tenant.reset();
        assertEquals(Duration.ZERO, tenant.clock().offset(), "a reset is back on real time");
    }

    @Test
    void aResetRestoresTheDemoTenantItsFaultsAndItsCounters() {
        SimulatedTenant tenant = new SimulatedTenant(Duration.ofMinutes(30));
        TenantState state = tenant.state();
        List<RoleAssignment> demoAssignments = state.configuredAssignments();
        List<Mailbox> demoMailboxes = state.mailboxes();

        state.addMailbox(new Mailbox("temp@contoso.com", "UserMailbox", "Sales", List.of()));
        assertTrue(state.removeMailbox("alex.wilber@contoso.com"));
        assertTrue(state.removeAssignment(DemoTenant.ASSIGNMENT));
        state.addServiceAccount(new ServiceAccount("CONTOSO", "svc-probe", "secret"));
        state.setOrg(state.org().withDehydrated(true).withEwsEnabled(false));
        state.setPropagationDelay(Duration.ofHours(2));
        tenant.setFaults(Faults.none().withEwsLatency(300).withResponseCode("*", "ErrorServerBusy"));
        tenant.stats().countEwsRequest();
        tenant.clock().advance(Duration.ofDays(1));

        tenant.reset();
        assertEquals(demoMailboxes, state.mailboxes());
        assertEquals(demoAssignments, state.configuredAssignments(), "the same assignments, created at the same time");
        assertTrue(state.serviceAccounts().isEmpty());
        assertEquals(Org.DEFAULT, state.org());
        assertEquals(Duration.ofMinutes(30), state.propagationDelay(), "the delay the tenant started with");
        assertEquals(0, tenant.faults().ewsLatencyMs());
        assertTrue(tenant.faults().responseCodes().isEmpty());
        assertEquals(0, tenant.stats().ewsRequests());
        assertTrue(tenant.access().canActAs(DemoTenant.APP_ID, List.of(),
                state.mailbox("alex.wilber@contoso.com").orElseThrow()), "the removal's pending revocation is gone too");
    }

    @Test
    void theDemoTenantIsValidExchangeContent() {
        TenantState state = new SimulatedTenant(Duration.ZERO).state();
        assertEquals(10, state.mailboxes().size());
        assertEquals("Kiosk", state.mailbox(DemoTenant.KIOSK_MAILBOX).orElseThrow().licence());
        assertNull(state.org().ewsEnabled(), "EwsEnabled never set, as in most tenants");
        assertEquals(List.of(DemoTenant.SCOPE, DemoTenant.GRAPH_SCOPE), List.copyOf(state.scopeFilters().keySet()));
        assertFalse(state.org().isDehydrated(), "customised: role assignments can be made");
        assertEquals(List.of(DemoTenant.READ_ROLE, DemoTenant.CHECK_ROLE), state.daemonApiRoles(DemoTenant.ONCALL_APP_ID));
    }
}
