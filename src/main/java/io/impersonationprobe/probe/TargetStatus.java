package io.impersonationprobe.probe;

import io.impersonationprobe.target.Target;

import java.time.Instant;

/** The latest knowledge about one target; written by its probe, read by metrics, health and the API. */
public final class TargetStatus {
    private final Target target;
    private volatile ProbeResult last;
    private volatile ProbeResult lastDefinite;
    private volatile Instant lastSuccessAt;

    TargetStatus(Target target) {
        this.target = target;
    }

    public Target target() {
        return target;
    }

    /** The last result, or null before the first probe. */
    public ProbeResult last() {
        return last;
    }

    /**
     * The result that stands: the last one, unless it is transient (throttling, a mailbox move, a failover), in which
     * case the last definite one; null while there is none.
     */
    public ProbeResult effective() {
        ProbeResult result = last;
        return result != null && result.outcome().isTransient() ? lastDefinite : result;
    }

    /** When the verdict last matched the expectation, or null if it never has. */
    public Instant lastSuccessAt() {
        return lastSuccessAt;
    }

    public TargetState state() {
        ProbeResult result = effective();
        if (result == null) {
            return TargetState.UNKNOWN;
        }
        return result.success() ? TargetState.OK : TargetState.FAILING;
    }

    /** Records a result and returns the one it replaces. */
    synchronized ProbeResult record(ProbeResult result) {
        ProbeResult previous = last;
        if (!result.outcome().isTransient()) {
            lastDefinite = result;
            if (result.success()) {
                lastSuccessAt = result.startedAt().plus(result.duration());
            }
        }
        last = result;
        return previous;
    }
}
