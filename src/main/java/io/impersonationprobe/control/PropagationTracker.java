package io.impersonationprobe.control;

import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.Verdict;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How configured access (the control plane) and observed access (the probes) compare over time, and how long a
 * change takes to show: which grants still await their first effect, since when each scope's reach is what it is,
 * and the state of each target. No I/O; time comes from the injected clock, so tests move it instead of waiting.
 */
@ApplicationScoped
public class PropagationTracker {
    /** The scope name Test-ServicePrincipalAuthorization reports for an assignment without one. */
    static final String ORGANIZATION = "Organization";

    private final Clock clock;
    /** Per tenant: the daemon's new grants, by assignment name, whose first effect is still to come. */
    private final Map<String, Map<String, RoleAssignmentInfo>> awaiting = new ConcurrentHashMap<>();
    /** Per tenant and scope: when its reach last changed (it appeared, or its filter changed). */
    private final Map<String, Map<String, Instant>> scopeChangedAt = new ConcurrentHashMap<>();

    /** What a tenant's propagation is waiting for, as the state directory keeps it across restarts. */
    public record Pending(List<RoleAssignmentInfo> awaiting, Map<String, Instant> scopeChangedAt) {
    }

    /** A grant that took effect, and how long after its creation. */
    public record Effect(RoleAssignmentInfo assignment, Duration delay) {
    }

    @Inject
    public PropagationTracker(Clock clock) {
        this.clock = clock;
    }

    /** What the tenant's propagation waits for now. */
    public Pending pending(String tenant) {
        return new Pending(List.copyOf(awaiting.getOrDefault(tenant, Map.of()).values()),
                Map.copyOf(scopeChangedAt.getOrDefault(tenant, Map.of())));
    }

    /** Takes back what a tenant's propagation waited for before a restart. */
    public void restore(String tenant, Pending pending) {
        pending.awaiting().forEach(grant -> grantAdded(tenant, grant));
        pending.scopeChangedAt().forEach((scope, at) -> scopeChanged(tenant, scope, at));
    }

    /** The daemon's app got a new grant: its first effect on a probe measures the tenant's propagation time. */
    public void grantAdded(String tenant, RoleAssignmentInfo assignment) {
        if (assignment.whenCreated() != null) {
            awaiting.computeIfAbsent(tenant, t -> new ConcurrentHashMap<>()).put(assignment.name(), assignment);
        }
    }

    /** A scope's reach changed at {@code at}: the grants that use it start their propagation window again. */
    public void scopeChanged(String tenant, String scope, Instant at) {
        scopeChangedAt.computeIfAbsent(tenant, t -> new ConcurrentHashMap<>()).put(scope, at);
    }

    /**
     * Since when the mailbox has been configured reachable: the oldest covering grant's creation, or the last change of
     * its scope when that came later; null when no covering grant says.
     *
     * @param grants the daemon's grants of the role the check is about
     */
    public Instant coveredSince(String tenant, ConfiguredAccess check, List<RoleAssignmentInfo> grants) {
        Map<String, Instant> changes = scopeChangedAt.getOrDefault(tenant, Map.of());
        Instant since = null;
        for (RoleAssignmentInfo grant : grants) {
            if (grant.whenCreated() == null || !check.covering().contains(scopeOf(grant))) {
                continue;
            }
            Instant changed = grant.scope() == null ? null : changes.get(grant.scope());
            Instant from = changed != null && changed.isAfter(grant.whenCreated()) ? changed : grant.whenCreated();
            since = since == null || from.isBefore(since) ? from : since;
        }
        return since;
    }

    /**
     * How configured access compares with what a probe saw; empty while either is unknown (never checked, the control
     * plane cannot tell, never probed, or the probe could not tell).
     *
     * @param since  since when the mailbox has been configured reachable, or null when unknown
     * @param window how long a grant may take before it is called stuck
     */
    public Optional<Propagation> state(ConfiguredAccess check, Instant since, Duration window, ProbeResult observed) {
        if (check == null || check.decision() == ConfiguredAccess.Decision.UNKNOWN || observed == null
                || observed.verdict() == Verdict.ERROR) {
            return Optional.empty();
        }
        boolean reachable = observed.verdict() == Verdict.ALLOWED;
        if (check.inScope() == reachable) {
            return Optional.of(Propagation.EFFECTIVE);
        }
        if (!check.inScope()) {
            return Optional.of(Propagation.REVOKE_PENDING);
        }
        return Optional.of(isStuck(since, window) ? Propagation.STUCK : Propagation.PENDING);
    }

    /**
     * How a prediction from Active Directory compares with what a probe saw: a disagreement is pending within the
     * cache window after the change that explains it ({@link ConfiguredAccess#changedAt()}), then a mismatch. A
     * prediction whose change time is unknown has had all the time it needs.
     */
    public Optional<Propagation> againstPrediction(ConfiguredAccess predicted, Duration cacheWindow,
                                                   ProbeResult observed) {
        if (predicted == null || predicted.decision() == ConfiguredAccess.Decision.UNKNOWN || observed == null
                || observed.verdict() == Verdict.ERROR) {
            return Optional.empty();
        }
        boolean reachable = observed.verdict() == Verdict.ALLOWED;
        if (predicted.inScope() == reachable) {
            return Optional.of(Propagation.EFFECTIVE);
        }
        Instant changed = predicted.changedAt();
        if (changed != null && !changed.plus(cacheWindow).isBefore(clock.instant())) {
            return Optional.of(predicted.inScope() ? Propagation.PENDING : Propagation.REVOKE_PENDING);
        }
        return Optional.of(Propagation.MISMATCH);
    }

    /** Whether a grant configured since {@code since} should have taken effect by now. */
    public boolean isStuck(Instant since, Duration window) {
        return since != null && since.plus(window).isBefore(clock.instant());
    }

    /**
     * A scheduled probe reached a mailbox it did not reach before: each awaited grant that covers it has taken effect
     * now, after the returned delay, and is no longer awaited.
     *
     * @param previous the result that stood before, or null before the first
     */
    public List<Effect> observed(String tenant, ConfiguredAccess check, ProbeResult result, ProbeResult previous) {
        Map<String, RoleAssignmentInfo> pending = awaiting.get(tenant);
        if (pending == null || check == null || result.verdict() != Verdict.ALLOWED
                || (previous != null && previous.verdict() == Verdict.ALLOWED)) {
            return List.of();
        }
        Instant accessed = result.finishedAt();
        List<Effect> effects = new ArrayList<>();
        for (RoleAssignmentInfo grant : List.copyOf(pending.values())) {
            if (check.covering().contains(scopeOf(grant)) && !accessed.isBefore(grant.whenCreated())
                    && pending.remove(grant.name()) != null) {
                effects.add(new Effect(grant, Duration.between(grant.whenCreated(), accessed)));
            }
        }
        return effects;
    }

    private static String scopeOf(RoleAssignmentInfo grant) {
        return grant.scope() == null ? ORGANIZATION : grant.scope();
    }
}
