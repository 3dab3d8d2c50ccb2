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
    REVOKE_PENDING,
    /**
     * On-premises: the probe contradicts the prediction from Active Directory past the cache window after the change
     * that explains it; the prediction misses something (or Exchange reads another domain controller).
     */
    MISMATCH;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
