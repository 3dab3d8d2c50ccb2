package io.impersonationprobe.simulator;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Faults are built by name, each value checked, and never change once built. */
class FaultsTest {

    @Test
    void noneServesEveryAnswerFromTheStateAtExchangeOnlinesBudget() {
        Faults none = Faults.none();
        assertEquals(0, none.ewsLatencyMs());
        assertEquals(27, none.concurrencyBudget());
        assertEquals(5000, none.serverBusyBackOffMs());
        assertEquals(250, none.missingAnchorLatencyMs());
        assertNull(none.rawAnswer());
        assertNull(none.serviceUnavailableRetryAfterSeconds());
        assertTrue(none.responseCodes().isEmpty() && none.graphErrors().isEmpty());
    }

    @Test
    void buildersChangeOneFaultOfACopy() {
        Faults none = Faults.none();
        Faults slow = none.withEwsLatency(300).withConcurrencyBudget(1).withServerBusyBackOff(1000);
        assertEquals(300, slow.ewsLatencyMs());
        assertEquals(1, slow.concurrencyBudget());
        assertEquals(1000, slow.serverBusyBackOffMs());
        assertEquals(0, none.ewsLatencyMs(), "the original is unchanged");
        Faults switchedOff = slow.withServiceUnavailable(2).withServiceUnavailable(null);
        assertNull(switchedOff.serviceUnavailableRetryAfterSeconds(), "null switches a fault off");
    }

    @Test
    void responseCodesAreKeptPerMailboxWithAFallbackForAll() {
        Faults f = Faults.none().withResponseCode("Alex.Wilber@contoso.com", "ErrorMailboxMoveInProgress")
                .withResponseCode("*", "ErrorServerBusy");
        assertEquals("ErrorMailboxMoveInProgress", f.responseCodeFor("alex.wilber@contoso.com"));
        assertEquals("ErrorServerBusy", f.responseCodeFor("megan.bowen@contoso.com"));
        assertEquals(Map.of("lynne.robbins@contoso.com", "ErrorInvalidLicense"),
                f.withResponseCodes(Map.of("Lynne.Robbins@contoso.com", "ErrorInvalidLicense")).responseCodes(),
                "replacing them all, keys in lower case");
        Faults graph = Faults.none().withGraphError("*", "MailboxNotEnabledForRESTAPI");
        assertEquals("MailboxNotEnabledForRESTAPI", graph.graphErrorFor("anyone@contoso.com"));
    }

    @Test
    void valuesAServerCouldNotSendAreRefusedWithTheirName() {
        assertEquals("ewsLatencyMs must be between 0 and 600000", assertThrows(IllegalArgumentException.class,
                () -> Faults.none().withEwsLatency(-1)).getMessage());
        assertEquals("concurrencyBudget must be at least 1", assertThrows(IllegalArgumentException.class,
                () -> Faults.none().withConcurrencyBudget(0)).getMessage());
        assertEquals("'Nope' is not an EWS error code (ErrorSomething)", assertThrows(IllegalArgumentException.class,
                () -> Faults.none().withResponseCode("*", "Nope")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Faults.none().withGraphError("*", "Nope"))
                .getMessage().startsWith("'Nope' is not a Graph error the simulator knows; known: ["));
        assertThrows(IllegalArgumentException.class, () -> Faults.none().withGraphThrottled(86_401));
        assertThrows(IllegalArgumentException.class, () -> Faults.none().withGraphLatency(600_001));
    }
}
