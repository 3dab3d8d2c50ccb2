package io.impersonationprobe.control;

import io.impersonationprobe.probe.Outcome;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.Verdict;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Locale;
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

    /** Per tenant: the last change of each EWS gate, while its first effect on a probe is still to come. */
    private final Map<String, Map<ChangeKind, GateChange>> gates = new ConcurrentHashMap<>();

    /** The kinds of change whose propagation is measured, each on its own clock: the histogram's {@code kind}. */
    public enum ChangeKind {
        /** An RBAC for Applications grant: 30 min to 2 h. */
        GRANT,
        /** The organisation's EwsEnabled: about 1 h. */
        EWS_ENABLED,
        /** EwsAllowedAppIDs: up to 24 h (the Exchange Online configuration cache). */
        ALLOW_LIST;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * A change of an EWS gate seen at {@code at}: Exchange decided {@code before} for the daemon's app and decides
     * {@code after} once the change reaches it.
     *
     * @param before      null in a state saved before the daemon kept it: any refusal by a gate may be the old state
     * @param description what changed, for a person to read
     */
    public record GateChange(ChangeKind kind, Instant at, EwsAppDecision before, EwsAppDecision after,
                             String description) {
        /**
         * Whether a refusal by an EWS gate is the state before this change still in force: Exchange refused the app
         * that way before it ("disabled" for EwsEnabled False, "blocked by policy" for the lists and the user-agent
         * policy). A refusal the old state did not give is not waiting for this change.
         */
        public boolean explains(Outcome refusal) {
            if (!refusal.isEwsGateRefusal()) {
                return false;
            }
            if (before == null || before == EwsAppDecision.UNKNOWN) {
                return true;
            }
            return switch (before) {
                case BLOCKED_EWS_DISABLED -> refusal == Outcome.EWS_DISABLED;
                case BLOCKED_ALLOW_LIST_EMPTY, BLOCKED_NOT_IN_ALLOW_LIST, BLOCKED_USER_AGENT -> refusal == Outcome.EWS_BLOCKED;
                default -> false;
            };
        }
    }

    /** What a tenant's propagation is waiting for, as the state directory keeps it across restarts. */
    public record Pending(List<RoleAssignmentInfo> awaiting, Map<String, Instant> scopeChangedAt,
                          List<GateChange> gates) {
        public Pending {
            gates = gates == null ? List.of() : List.copyOf(gates);
        }
    }

    /** A change that took effect, and how long after it was made. */
    public record Effect(ChangeKind kind, String subject, Duration delay) {
    }

    @Inject
    public PropagationTracker(Clock clock) {
        this.clock = clock;
    }

    /** What the tenant's propagation waits for now. */
    public Pending pending(String tenant) {
        return new Pending(List.copyOf(awaiting.getOrDefault(tenant, Map.of()).values()),
                Map.copyOf(scopeChangedAt.getOrDefault(tenant, Map.of())),
                List.copyOf(gates.getOrDefault(tenant, Map.of()).values()));
    }

    /** Takes back what a tenant's propagation waited for before a restart. */
    public void restore(String tenant, Pending pending) {
        pending.awaiting().forEach(grant -> grantAdded(tenant, grant));
        pending.scopeChangedAt().forEach((scope, at) -> scopeChanged(tenant, scope, at));
        pending.gates().forEach(change -> gateChanged(tenant, change));
    }

    /** An EWS gate changed: its first effect on a probe measures its propagation, on the clock of its kind. */
    public void gateChanged(String tenant, GateChange change) {
        gates.computeIfAbsent(tenant, t -> new ConcurrentHashMap<>()).put(change.kind(), change);
    }

    /** The latest gate change whose effect is still awaited, if any. */
    public Optional<GateChange> pendingGate(String tenant) {
        return gates.getOrDefault(tenant, Map.of()).values().stream().max(Comparator.comparing(GateChange::at));
    }

    /**
     * How a probe compares with what the EWS gates decide now, while a gate change awaits its effect: refused by a
     * gate that now lets the app through is PENDING within the kind's window and STUCK after it; reachable through a
     * gate that now shuts the app out is REVOKE_PENDING. Empty when no gate change explains the result.
     *
     * @param windows how long each kind of change may take
     */
    public Optional<Propagation> gateState(String tenant, ProbeResult observed, Map<ChangeKind, Duration> windows) {
        Optional<GateChange> change = pendingGate(tenant);
        if (change.isEmpty() || observed == null) {
            return Optional.empty();
        }
        GateChange gate = change.get();
        if (Boolean.TRUE.equals(gate.after().allows()) && gate.explains(observed.outcome())) {
            return Optional.of(isStuck(gate.at(), windows.get(gate.kind())) ? Propagation.STUCK : Propagation.PENDING);
        }
        if (Boolean.FALSE.equals(gate.after().allows()) && observed.verdict() == Verdict.ALLOWED) {
            return Optional.of(Propagation.REVOKE_PENDING);
        }
        return Optional.empty();
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
        List<Effect> effects = new ArrayList<>(gateEffects(tenant, result, previous));
        effects.addAll(grantEffects(tenant, check, result, previous));
        return effects;
    }

    /**
     * A scheduled probe that first shows what a pending gate change decides (through the gate once it opens, refused by
     * it once it closes) ends the wait for every gate change that decides the same.
     */
    private List<Effect> gateEffects(String tenant, ProbeResult result, ProbeResult previous) {
        Map<ChangeKind, GateChange> pending = gates.get(tenant);
        if (pending == null) {
            return List.of();
        }
        List<Effect> effects = new ArrayList<>();
        for (GateChange change : List.copyOf(pending.values())) {
            Boolean opens = change.after().allows();
            boolean shows = Boolean.TRUE.equals(opens) ? passedGates(result) : Boolean.FALSE.equals(opens)
                    && result.outcome().isEwsGateRefusal();
            boolean showedBefore = previous != null && (Boolean.TRUE.equals(opens) ? passedGates(previous)
                    : previous.outcome().isEwsGateRefusal());
            if (shows && !showedBefore && !result.finishedAt().isBefore(change.at())
                    && pending.remove(change.kind(), change)) {
                effects.add(new Effect(change.kind(), change.description(),
                        Duration.between(change.at(), result.finishedAt())));
            }
        }
        return effects;
    }

    /** Exchange answered for the mailbox (access or a refusal to impersonate): EWS itself was open to the app. */
    private static boolean passedGates(ProbeResult result) {
        return result.verdict() != Verdict.ERROR;
    }

    private List<Effect> grantEffects(String tenant, ConfiguredAccess check, ProbeResult result, ProbeResult previous) {
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
                effects.add(new Effect(ChangeKind.GRANT, grant.name(), Duration.between(grant.whenCreated(), accessed)));
            }
        }
        return effects;
    }

    private static String scopeOf(RoleAssignmentInfo grant) {
        return grant.scope() == null ? ORGANIZATION : grant.scope();
    }
}
