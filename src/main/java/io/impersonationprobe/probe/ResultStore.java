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

/**
 * The last result of every target and probe kind, grouped as configured. A target probed over EWS and Graph has a
 * status for each; they are kept apart, as each kind has its own verdict. Logs each change of outcome once.
 */
@ApplicationScoped
public class ResultStore {
    private static final Logger LOG = Logger.getLogger(ResultStore.class);

    private final Map<String, TargetStatus> byKey = new HashMap<>();
    private final Map<String, List<TargetStatus>> byGroup = new LinkedHashMap<>();

    @Inject
    public ResultStore(ValidatedConfig config) {
        for (TargetGroup group : config.groups()) {
            List<TargetStatus> statuses = new ArrayList<>(group.targets().size() * group.probes().size());
            for (Target target : group.targets()) {
                for (String probe : group.probes()) {
                    TargetStatus status = new TargetStatus(target, probe);
                    byKey.put(key(probe, target.id()), status);
                    statuses.add(status);
                }
            }
            byGroup.put(group.name(), Collections.unmodifiableList(statuses));
        }
    }

    private static String key(String probe, String targetId) {
        return probe + ":" + targetId;
    }

    public void record(ProbeResult result) {
        TargetStatus status = byKey.get(key(result.probe(), result.target().id()));
        if (status == null) {
            throw new IllegalArgumentException("the group of " + result.target().id() + " is not probed with "
                    + result.probe());
        }
        ProbeResult previous = status.record(result);
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

    /** A target's status as one probe kind sees it, or null when its group does not run that kind. */
    public TargetStatus status(String probe, String targetId) {
        return byKey.get(key(probe, targetId));
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
    public List<TargetStatus> group(String group, String probe) {
        return group(group).stream().filter(s -> s.probe().equals(probe)).toList();
    }

    /**
     * Targets of a deny group that the daemon can act as now, over any probe kind: a mailbox reachable over Graph
     * only is as much out of scope as one reachable over EWS. Each mailbox counts once.
     */
    public int scopeLeaks(String group) {
        java.util.Set<String> leaking = new java.util.HashSet<>();
        for (TargetStatus status : group(group)) {
            ProbeResult result = status.effective();
            if (result != null && result.outcome() == Outcome.SCOPE_LEAK) {
                leaking.add(status.target().id());
            }
        }
        return leaking.size();
    }

    /** Targets of a deny group that one probe kind can act as now. */
    public int scopeLeaks(String group, String probe) {
        int leaks = 0;
        for (TargetStatus status : group(group, probe)) {
            ProbeResult result = status.effective();
            leaks += result != null && result.outcome() == Outcome.SCOPE_LEAK ? 1 : 0;
        }
        return leaks;
    }

    /** How many of a group's targets are in each state as one probe kind sees them; every state is present. */
    public Map<TargetState, Integer> countByState(String group, String probe) {
        Map<TargetState, Integer> counts = new EnumMap<>(TargetState.class);
        for (TargetState state : TargetState.values()) {
            counts.put(state, 0);
        }
        for (TargetStatus status : group(group)) {
            if (status.probe().equals(probe)) {
                counts.merge(status.state(), 1, Integer::sum);
            }
        }
        return counts;
    }
}
