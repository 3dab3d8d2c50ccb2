package io.impersonationprobe.probe;

import io.impersonationprobe.target.ProbeKind;

import java.time.Duration;

/**
 * Told about every scheduled probe once its result is recorded: the port through which metrics and the control
 * plane's propagation tracker follow the schedule. Live checks are not reported here.
 */
public interface ProbeObserver {

    /**
     * @param result    the result just recorded
     * @param previous  the target's effective result before it (the last definite one), or null before the first
     */
    void recorded(ProbeResult result, ProbeResult previous);

    /** A tenant's probes of one kind were paused this much longer because the server asked. */
    default void backedOff(String tenant, ProbeKind probe, Duration added) {
    }
}
