package io.impersonationprobe.probe;

import io.impersonationprobe.target.Target;

import java.time.Instant;

/**
 * The latest knowledge about one target as one probe kind sees it (a target probed over EWS and Graph has two);
 * written by its probe, read by metrics, health and the API.
 */
public final class TargetStatus {
    private final Target target;
    private final String probe;
    private volatile ProbeResult last;
    private volatile ProbeResult lastDefinite;
    private volatile Instant lastSuccessAt;
    /** Recent results that met the expectation, newest first; few, as they all say the same. */
    private final java.util.ArrayDeque<ProbeResult> successes = new java.util.ArrayDeque<>(SUCCESSES_KEPT);
    /** Recent results that did not, newest first; kept longer, as they are what an admin investigates. */
    private java.util.ArrayDeque<ProbeResult> failures;
    static final int SUCCESSES_KEPT = 5;
    static final int FAILURES_KEPT = 25;

    TargetStatus(Target target, String probe) {
        this.target = target;
        this.probe = probe;
    }

    public Target target() {
        return target;
    }

    /** The probe kind whose results these are, such as {@code ews}. */
    public String probe() {
        return probe;
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
        if (result.success()) {
            keep(successes, result, SUCCESSES_KEPT);
        } else {
            if (failures == null) {
                failures = new java.util.ArrayDeque<>();
            }
            keep(failures, result, FAILURES_KEPT);
        }
        return previous;
    }

    private static void keep(java.util.ArrayDeque<ProbeResult> kept, ProbeResult result, int max) {
        kept.addFirst(result);
        if (kept.size() > max) {
            kept.removeLast();
        }
    }

    /** Recent results, newest first: the last few successes and a longer tail of failures, merged by time. */
    public synchronized java.util.List<ProbeResult> history() {
        java.util.List<ProbeResult> all = new java.util.ArrayList<>(successes);
        if (failures != null) {
            all.addAll(failures);
        }
        all.sort(java.util.Comparator.comparing(ProbeResult::startedAt).reversed());
        return all;
    }
}
