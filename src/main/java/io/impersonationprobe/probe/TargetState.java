package io.impersonationprobe.probe;

import java.util.Locale;

/** A target's standing, counted per group in {@code impersonation_targets}. */
public enum TargetState {
    /** The last verdict matched the expectation. */
    OK,
    /** The last verdict did not match: access broken, a scope leak, or the probe could not tell. */
    FAILING,
    /** Not probed yet. */
    UNKNOWN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
