package io.impersonationprobe.probe;

import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Target;
import io.impersonationprobe.target.TargetGroup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The last result of every target and probe kind, grouped as configured. A target probed over EWS and Graph has a
 * status for each; they are kept apart, as each kind has its own verdict. Counts per group are kept as results
 * arrive, so a scrape reads them without walking every target. Logs each change of outcome once.
 */
@ApplicationScoped
public class ResultStore {
    private static final Logger LOG = Logger.getLogger(ResultStore.class);

    private final Map<StatusKey, TargetStatus> byKey = new HashMap<>();
    private final Map<String, List<TargetStatus>> byGroup = new LinkedHashMap<>();
    private final Map<GroupKey, Counts> counts = new HashMap<>();
    /** Per group: the targets that some probe kind can act as although the group says deny. Rare, so a set. */
    private final Map<String, Set<String>> leaking = new HashMap<>();

    private record StatusKey(ProbeKind probe, String targetId) {
    }

    private record GroupKey(ProbeKind probe, String group) {
    }

    /** A group's targets by state, and its scope leaks, as one probe kind sees them. */
    private static final class Counts {
        final AtomicIntegerArray byState = new AtomicIntegerArray(TargetState.values().length);
        final AtomicInteger leaks = new AtomicInteger();
    }

    @Inject
    public ResultStore(ValidatedConfig config) {
        for (TargetGroup group : config.groups()) {
            List<TargetStatus> statuses = new ArrayList<>(group.targets().size() * group.probes().size());
            for (ProbeKind probe : group.probes()) {
                Counts groupCounts = new Counts();
                groupCounts.byState.set(TargetState.UNKNOWN.ordinal(), group.targets().size());
                counts.put(new GroupKey(probe, group.name()), groupCounts);
            }
            for (Target target : group.targets()) {
                for (ProbeKind probe : group.probes()) {
                    TargetStatus status = new TargetStatus(target, probe);
                    byKey.put(new StatusKey(probe, target.id()), status);
                    statuses.add(status);
                }
            }
            byGroup.put(group.name(), Collections.unmodifiableList(statuses));
            leaking.put(group.name(), ConcurrentHashMap.newKeySet());
        }
    }

    /**
     * Records a scheduled probe's result.
     *
     * @return the result that stood before it (the last definite one), or null before the first
     */
    public ProbeResult record(ProbeResult result) {
        TargetStatus status = byKey.get(new StatusKey(result.probe(), result.target().id()));
        if (status == null) {
            throw new IllegalArgumentException("the group of " + result.target().id() + " is not probed with "
                    + result.probe());
        }
        Counts groupCounts = counts.get(new GroupKey(result.probe(), result.target().group()));
        ProbeResult previous;
        ProbeResult standing;
        synchronized (status) {
            TargetState stateBefore = status.state();
            standing = status.effective();
            boolean leakBefore = isLeak(standing);
            previous = status.record(result);
            TargetState stateAfter = status.state();
            if (stateAfter != stateBefore) {
                groupCounts.byState.decrementAndGet(stateBefore.ordinal());
                groupCounts.byState.incrementAndGet(stateAfter.ordinal());
            }
            boolean leakAfter = isLeak(status.effective());
            if (leakAfter != leakBefore) {
                groupCounts.leaks.addAndGet(leakAfter ? 1 : -1);
                updateLeaking(result.target());
            }
        }
        if (previous == null || previous.outcome() != result.outcome()) {
            String from = previous == null ? "first probe" : previous.outcome().name();
            String change = String.format("%s %s: %s -> %s", result.probe().label(), result.target().id(), from,
                    result.outcome());
            if (result.outcome().isTransient()) {
                LOG.infof("%s (transient, the last definite verdict stands): %s", change, result.detail());
            } else if (result.success()) {
                LOG.infof("%s (%s)", change, result.verdict());
            } else {
                String detail = result.detail().endsWith(".") ? result.detail() : result.detail() + ".";
                LOG.warnf("%s (%s, expected %s): %s Fix: %s", change, result.verdict(),
                        result.target().expect().label(), detail, result.remediation());
            }
        }
        return standing;
    }

    /** Every status of the tenant's targets, as the state directory keeps them. */
    public List<TargetStatus.Snapshot> snapshot(String tenant) {
        List<TargetStatus.Snapshot> saved = new ArrayList<>();
        for (TargetStatus status : all()) {
            if (status.target().tenant().equals(tenant) && status.last() != null) {
                saved.add(status.snapshot());
            }
        }
        return saved;
    }

    /**
     * Takes back saved statuses before the first probe of this run; those of targets no longer configured (or no longer
     * probed with that kind) are skipped.
     *
     * @return how many were taken back
     */
    public int restore(List<TargetStatus.Snapshot> saved) {
        int restored = 0;
        for (TargetStatus.Snapshot snapshot : saved) {
            TargetStatus status = byKey.get(new StatusKey(snapshot.probe(), snapshot.target()));
            if (status == null) {
                continue;
            }
            Counts groupCounts = counts.get(new GroupKey(status.probe(), status.target().group()));
            synchronized (status) {
                if (status.last() != null) {
                    continue; // probed already in this run: what it found stands
                }
                TargetState stateBefore = status.state();
                status.restore(snapshot);
                groupCounts.byState.decrementAndGet(stateBefore.ordinal());
                groupCounts.byState.incrementAndGet(status.state().ordinal());
                if (isLeak(status.effective())) {
                    groupCounts.leaks.incrementAndGet();
                    updateLeaking(status.target());
                }
            }
            restored++;
        }
        return restored;
    }

    /** A mailbox leaks while any of its group's probe kinds can act as it. */
    private void updateLeaking(Target target) {
        Set<String> group = leaking.get(target.group());
        synchronized (group) {
            boolean any = false;
            for (ProbeKind probe : ProbeKind.values()) {
                TargetStatus status = byKey.get(new StatusKey(probe, target.id()));
                any |= status != null && isLeak(status.effective());
            }
            if (any) {
                group.add(target.id());
            } else {
                group.remove(target.id());
            }
        }
    }

    private static boolean isLeak(ProbeResult result) {
        return result != null && result.outcome() == Outcome.SCOPE_LEAK;
    }

    /** A target's status as one probe kind sees it, or null when its group does not run that kind. */
    public TargetStatus status(ProbeKind probe, String targetId) {
        return byKey.get(new StatusKey(probe, targetId));
    }

    /** Every target's statuses (one per probe kind of its group), group by group in configuration order. */
    public List<TargetStatus> all() {
        List<TargetStatus> all = new ArrayList<>(byKey.size());
        byGroup.values().forEach(all::addAll);
        return all;
    }

    /** Every status of a group, all probe kinds. */
    public List<TargetStatus> group(String group) {
        return byGroup.getOrDefault(group, List.of());
    }

    /** The statuses of a group as one probe kind sees them. */
    public List<TargetStatus> group(String group, ProbeKind probe) {
        return group(group).stream().filter(s -> s.probe() == probe).toList();
    }

    /**
     * Targets of a deny group that the daemon can act as now, over any probe kind: a mailbox reachable over Graph
     * only is as much out of scope as one reachable over EWS. Each mailbox counts once.
     */
    public int scopeLeaks(String group) {
        Set<String> targets = leaking.get(group);
        return targets == null ? 0 : targets.size();
    }

    /** Targets of a deny group that one probe kind can act as now. */
    public int scopeLeaks(String group, ProbeKind probe) {
        Counts groupCounts = counts.get(new GroupKey(probe, group));
        return groupCounts == null ? 0 : groupCounts.leaks.get();
    }

    /** How many of a group's targets are in a state as one probe kind sees them. */
    public int count(String group, ProbeKind probe, TargetState state) {
        Counts groupCounts = counts.get(new GroupKey(probe, group));
        return groupCounts == null ? 0 : groupCounts.byState.get(state.ordinal());
    }

    /** How many of a group's targets are in each state as one probe kind sees them; every state is present. */
    public Map<TargetState, Integer> countByState(String group, ProbeKind probe) {
        Map<TargetState, Integer> byState = new EnumMap<>(TargetState.class);
        for (TargetState state : TargetState.values()) {
            byState.put(state, count(group, probe, state));
        }
        return byState;
    }
}
