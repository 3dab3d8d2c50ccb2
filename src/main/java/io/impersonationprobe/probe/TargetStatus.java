package io.impersonationprobe.probe;

import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Target;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The latest knowledge about one target as one probe kind sees it (a target probed over EWS and Graph has two);
 * written by its probe, read by metrics, health and the API.
 */
public final class TargetStatus {
    static final int SUCCESSES_KEPT = 5;
    static final int FAILURES_KEPT = 25;

    private final Target target;
    private final ProbeKind probe;
    private volatile ProbeResult last;
    private volatile ProbeResult lastDefinite;
    private volatile Instant lastSuccessAt;
    /** Recent results that met the expectation, newest first; few, as they all say the same. */
    private final ArrayDeque<Past> successes = new ArrayDeque<>(SUCCESSES_KEPT);
    /** Recent results that did not, newest first; kept longer, as they are what an admin investigates. */
    private ArrayDeque<Past> failures;

    /**
     * One past result, as compact as the API needs it: a daemon may hold a hundred thousand targets with thirty
     * results each. Texts equal to the previous entry's are shared, so a run of identical failures costs one copy.
     */
    private record Past(ProbeKind probe, Outcome outcome, long startedAtSecond, int startedAtNano, long durationNanos,
                        short httpStatus, String responseCode, String detail) {
        static Past of(ProbeResult r, Past previous) {
            String code = previous != null && Objects.equals(previous.responseCode, r.responseCode())
                    ? previous.responseCode : r.responseCode();
            String detail = previous != null && Objects.equals(previous.detail, r.detail())
                    ? previous.detail : r.detail();
            return new Past(r.probe(), r.outcome(), r.startedAt().getEpochSecond(), r.startedAt().getNano(),
                    r.duration().toNanos(), (short) r.httpStatus(), code, detail);
        }

        ProbeResult toResult(Target target) {
            return new ProbeResult(target, probe, outcome, responseCode, httpStatus,
                    Instant.ofEpochSecond(startedAtSecond, startedAtNano), Duration.ofNanos(durationNanos), detail,
                    null, null);
        }
    }

    TargetStatus(Target target, ProbeKind probe) {
        this.target = target;
        this.probe = probe;
    }

    public Target target() {
        return target;
    }

    /** The probe kind whose results these are. */
    public ProbeKind probe() {
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
                failures = new ArrayDeque<>();
            }
            keep(failures, result, FAILURES_KEPT);
        }
        return previous;
    }

    private static void keep(ArrayDeque<Past> kept, ProbeResult result, int max) {
        kept.addFirst(Past.of(result, kept.peekFirst()));
        if (kept.size() > max) {
            kept.removeLast();
        }
    }

    /**
     * One result as the state directory keeps it.
     *
     * @param remediation kept for the standing results only; null in the history
     */
    public record Saved(Outcome outcome, Instant startedAt, long durationMillis, int httpStatus, String responseCode,
                        String detail, String remediation) {
        static Saved of(ProbeResult r, boolean withRemediation) {
            return r == null ? null : new Saved(r.outcome(), r.startedAt(), r.duration().toMillis(), r.httpStatus(),
                    r.responseCode(), r.detail(), withRemediation ? r.remediation() : null);
        }

        /**
         * The result for this target as configured now; a leak is the target's expectation applied to access, so it is
         * worked out again in case the target's group changed.
         */
        ProbeResult toResult(Target target, ProbeKind probe) {
            Outcome access = outcome == Outcome.SCOPE_LEAK ? Outcome.OK : outcome;
            return new ProbeResult(target, probe, access.forExpectation(target.expect()), responseCode, httpStatus,
                    startedAt, Duration.ofMillis(durationMillis), detail, remediation, null);
        }
    }

    /** What the state directory keeps of one target's status, so that a restart loses no history. */
    public record Snapshot(String target, ProbeKind probe, Saved last, Saved lastDefinite, Instant lastSuccessAt,
                           List<Saved> successes, List<Saved> failures) {
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(target.id(), probe, Saved.of(last, true), Saved.of(lastDefinite, true), lastSuccessAt,
                successes.stream().map(p -> Saved.of(p.toResult(target), false)).toList(),
                failures == null ? List.of() : failures.stream().map(p -> Saved.of(p.toResult(target), false)).toList());
    }

    /** Takes back a saved status; only before the first probe of this run, which then goes on from it. */
    synchronized void restore(Snapshot saved) {
        last = saved.last() == null ? null : saved.last().toResult(target, probe);
        lastDefinite = saved.lastDefinite() == null ? null : saved.lastDefinite().toResult(target, probe);
        lastSuccessAt = saved.lastSuccessAt();
        successes.clear();
        for (Saved s : saved.successes()) {
            successes.addLast(Past.of(s.toResult(target, probe), successes.peekLast()));
        }
        if (!saved.failures().isEmpty()) {
            failures = new ArrayDeque<>();
            for (Saved s : saved.failures()) {
                failures.addLast(Past.of(s.toResult(target, probe), failures.peekLast()));
            }
        }
    }

    /**
     * Recent results, newest first: the last few successes and a longer tail of failures, merged by time. They carry
     * what the API shows of them; their remediation and back-off are not kept.
     */
    public synchronized List<ProbeResult> history() {
        List<ProbeResult> all = new ArrayList<>(successes.size() + (failures == null ? 0 : failures.size()));
        successes.forEach(p -> all.add(p.toResult(target)));
        if (failures != null) {
            failures.forEach(p -> all.add(p.toResult(target)));
        }
        all.sort(Comparator.comparing(ProbeResult::startedAt).reversed());
        return all;
    }
}
