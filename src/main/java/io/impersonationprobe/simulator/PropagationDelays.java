package io.impersonationprobe.simulator;

import java.time.Duration;

/**
 * How long each kind of change takes to be enforced, as Exchange Online documents: role assignments (RBAC for
 * Applications grants are cached 30 min to 2 h), {@code EwsEnabled} (about 1 h) and {@code EwsAllowedAppIDs} (about
 * 24 h).
 */
public record PropagationDelays(Duration grant, Duration ewsEnabled, Duration allowList) {
    /** Every change enforced at once, as tests want it. */
    public static final PropagationDelays NONE = new PropagationDelays(Duration.ZERO, Duration.ZERO, Duration.ZERO);

    public PropagationDelays {
        requireNonNegative(grant);
        requireNonNegative(ewsEnabled);
        requireNonNegative(allowList);
    }

    public PropagationDelays withGrant(Duration delay) {
        return new PropagationDelays(delay, ewsEnabled, allowList);
    }

    public PropagationDelays withEwsEnabled(Duration delay) {
        return new PropagationDelays(grant, delay, allowList);
    }

    public PropagationDelays withAllowList(Duration delay) {
        return new PropagationDelays(grant, ewsEnabled, delay);
    }

    static Duration requireNonNegative(Duration delay) {
        if (delay == null || delay.isNegative()) {
            throw new IllegalArgumentException("a propagation delay cannot be negative");
        }
        return delay;
    }
}
