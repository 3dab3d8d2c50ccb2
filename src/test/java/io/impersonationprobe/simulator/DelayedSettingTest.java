package io.impersonationprobe.simulator;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A cached setting: read back at once, enforced after the delay of the moment it was changed; the latest wins. */
class DelayedSettingTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void aChangeIsConfiguredAtOnceAndEnforcedAfterItsDelay() {
        DelayedSetting<Boolean> setting = new DelayedSetting<>(null);
        setting.change(false, T0, Duration.ofHours(1));
        assertEquals(false, setting.configured());
        assertNull(setting.enforcedAt(T0.plusSeconds(3599)));
        assertEquals(1, setting.pendingAt(T0.plusSeconds(3599)).size());
        assertEquals(false, setting.enforcedAt(T0.plusSeconds(3600)));
        assertTrue(setting.pendingAt(T0.plusSeconds(3600)).isEmpty());
    }

    @Test
    void aLaterChangeWithAShorterDelayWinsOverAnEarlierOneStillPending() {
        DelayedSetting<String> setting = new DelayedSetting<>("a");
        setting.change("b", T0, Duration.ofHours(24));
        setting.change("c", T0.plusSeconds(60), Duration.ofMinutes(1));
        assertEquals("c", setting.enforcedAt(T0.plusSeconds(120)), "the latest change is enforced");
        assertEquals("c", setting.enforcedAt(T0.plus(Duration.ofHours(25))), "the older one never comes back");
        assertTrue(setting.pendingAt(T0.plus(Duration.ofHours(25))).isEmpty());
    }

    @Test
    void theValueBeforeAChangeStaysEnforcedUntilTheChangeLands() {
        DelayedSetting<String> setting = new DelayedSetting<>("a");
        setting.change("b", T0, Duration.ofMinutes(10));
        setting.change("c", T0.plusSeconds(60), Duration.ofMinutes(10));
        assertEquals("a", setting.enforcedAt(T0.plusSeconds(599)));
        assertEquals("b", setting.enforcedAt(T0.plusSeconds(600)));
        assertEquals(1, setting.pendingAt(T0.plusSeconds(600)).size(), "c still to come");
        assertEquals("c", setting.enforcedAt(T0.plusSeconds(660)));
    }
}
