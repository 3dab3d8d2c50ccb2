package io.impersonationprobe.probe;

import io.impersonationprobe.config.ValidatedConfig;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/** The last result of every target, grouped as configured. Logs each change of outcome once. */
@ApplicationScoped
public class ResultStore {
    private static final Logger LOG = Logger.getLogger(ResultStore.class);

    private final Map<String, TargetStatus> byId = new HashMap<>();
    private final Map<String, List<TargetStatus>> byGroup = new LinkedHashMap<>();
    /** Per group, kept as results arrive: a scrape reads them without walking every target. */
    private final Map<String, Counts> counts = new HashMap<>();

    /** A group's targets by state, and its scope leaks. */
    private static final class Counts {
        final AtomicIntegerArray byState = new AtomicIntegerArray(TargetState.values().length);
        final AtomicInteger leaks = new AtomicInteger();
    }

    @Inject
    public ResultStore(ValidatedConfig config) {
        for (TargetGroup group : config.groups()) {
            List<TargetStatus> statuses = new ArrayList<>(group.targets().size());
            for (Target target : group.targets()) {
                TargetStatus status = new TargetStatus(target);
                byId.put(target.id(), status);
                statuses.add(status);
            }
            byGroup.put(group.name(), Collections.unmodifiableList(statuses));
            Counts groupCounts = new Counts();
            groupCounts.byState.set(TargetState.UNKNOWN.ordinal(), statuses.size());
            counts.put(group.name(), groupCounts);
        }
    }

    public void record(ProbeResult result) {
        TargetStatus status = byId.get(result.target().id());
        Counts groupCounts = counts.get(result.target().group());
        ProbeResult previous;
        synchronized (status) {
            TargetState stateBefore = status.state();
            boolean leakBefore = isLeak(status.effective());
            previous = status.record(result);
            TargetState stateAfter = status.state();
            if (stateAfter != stateBefore) {
                groupCounts.byState.decrementAndGet(stateBefore.ordinal());
                groupCounts.byState.incrementAndGet(stateAfter.ordinal());
            }
            boolean leakAfter = isLeak(status.effective());
            if (leakAfter != leakBefore) {
                groupCounts.leaks.addAndGet(leakAfter ? 1 : -1);
            }
        }
        if (previous == null || previous.outcome() != result.outcome()) {
            String from = previous == null ? "first probe" : previous.outcome().name();
            String change = String.format("%s %s: %s -> %s", result.probe(), result.target().id(), from, result.outcome());
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
    }

    public TargetStatus status(String targetId) {
        return byId.get(targetId);
    }

    /** Every target, group by group in configuration order. */
    public List<TargetStatus> all() {
        List<TargetStatus> all = new ArrayList<>(byId.size());
        byGroup.values().forEach(all::addAll);
        return all;
    }

    public List<TargetStatus> group(String group) {
        return byGroup.getOrDefault(group, List.of());
    }

    private static boolean isLeak(ProbeResult result) {
        return result != null && result.outcome() == Outcome.SCOPE_LEAK;
    }

    /** Targets of a deny group that the daemon can act as now. */
    public int scopeLeaks(String group) {
        Counts groupCounts = counts.get(group);
        return groupCounts == null ? 0 : groupCounts.leaks.get();
    }

    /** How many of a group's targets are in a state. */
    public int count(String group, TargetState state) {
        Counts groupCounts = counts.get(group);
        return groupCounts == null ? 0 : groupCounts.byState.get(state.ordinal());
    }

    /** How many of a group's targets are in each state; every state is present. */
    public Map<TargetState, Integer> countByState(String group) {
        Map<TargetState, Integer> byState = new EnumMap<>(TargetState.class);
        for (TargetState state : TargetState.values()) {
            byState.put(state, count(group, state));
        }
        return byState;
    }
}
