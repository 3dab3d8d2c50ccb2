package io.impersonationprobe.control;

import java.util.Locale;

/** How a target's configured access (the admin API) compares with its observed access (the probes). */
public enum Propagation {
    /** Both agree. */
    EFFECTIVE,
    /** Configured reachable, still denied, within the propagation window. */
    PENDING,
    /** Configured reachable, still denied, well past the window: something else blocks it. */
    STUCK,
    /** Configured unreachable, still reachable: the cache has not caught up (for a deny target, a leak in progress). */
    REVOKE_PENDING;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
