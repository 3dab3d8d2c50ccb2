package io.impersonationprobe.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The organisation's settings as configured (what {@code Get-OrganizationConfig} reads back at once) and as EWS
 * enforces them: a change of {@code EwsEnabled} takes about an hour to be enforced and one of {@code EwsAllowedAppIDs}
 * about 24 hours (the Exchange Online configuration cache); the other settings apply at once. Not thread-safe: the
 * tenant state holds the lock.
 */
final class OrgSettings {
    private final Duration initialEwsEnabledDelay;
    private final Duration initialAllowListDelay;
    private Org configured;
    private DelayedSetting<Boolean> ewsEnabled;
    private DelayedSetting<List<String>> allowList;
    private Duration ewsEnabledDelay;
    private Duration allowListDelay;

    OrgSettings(Duration ewsEnabledDelay, Duration allowListDelay) {
        this.initialEwsEnabledDelay = PropagationDelays.requireNonNegative(ewsEnabledDelay);
        this.initialAllowListDelay = PropagationDelays.requireNonNegative(allowListDelay);
        reset();
    }

    void reset() {
        configured = Org.DEFAULT;
        ewsEnabled = new DelayedSetting<>(Org.DEFAULT.ewsEnabled());
        allowList = new DelayedSetting<>(Org.DEFAULT.ewsAllowedAppIds());
        ewsEnabledDelay = initialEwsEnabledDelay;
        allowListDelay = initialAllowListDelay;
    }

    Org configured() {
        return configured;
    }

    /** Configures {@code org}; a changed {@code EwsEnabled} or allow list is enforced once its delay has passed. */
    void configure(Org org, Instant now) {
        if (ewsEnabled.differsFrom(org.ewsEnabled())) {
            ewsEnabled.change(org.ewsEnabled(), now, ewsEnabledDelay);
        }
        if (allowList.differsFrom(org.ewsAllowedAppIds())) {
            allowList.change(org.ewsAllowedAppIds(), now, allowListDelay);
        }
        configured = org;
    }

    /** The settings EWS enforces at {@code now}. */
    Org enforcedAt(Instant now) {
        return configured.withEwsEnabled(ewsEnabled.enforcedAt(now)).withEwsAllowedAppIds(allowList.enforcedAt(now));
    }

    /** The changes configured but not enforced yet, as Exchange names the settings, oldest first per setting. */
    List<Map<String, Object>> pendingAt(Instant now) {
        List<Map<String, Object>> pending = new ArrayList<>();
        for (var change : ewsEnabled.pendingAt(now)) {
            pending.add(view("EwsEnabled", change.value(), change));
        }
        for (var change : allowList.pendingAt(now)) {
            pending.add(view("EwsAllowedAppIDs", change.value() == null ? null : String.join(",", change.value()), change));
        }
        return pending;
    }

    private static Map<String, Object> view(String setting, Object value, DelayedSetting.Change<?> change) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("setting", setting);
        view.put("value", value);
        view.put("changedAt", change.changedAt().toString());
        view.put("enforcedFrom", change.effectiveAt().toString());
        return view;
    }

    Duration ewsEnabledDelay() {
        return ewsEnabledDelay;
    }

    Duration allowListDelay() {
        return allowListDelay;
    }

    /** For changes made from now on. */
    void setEwsEnabledDelay(Duration delay) {
        ewsEnabledDelay = PropagationDelays.requireNonNegative(delay);
    }

    /** For changes made from now on. */
    void setAllowListDelay(Duration delay) {
        allowListDelay = PropagationDelays.requireNonNegative(delay);
    }
}
