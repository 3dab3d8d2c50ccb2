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

/** The last result of every target, grouped as configured. Logs each change of outcome once. */
@ApplicationScoped
public class ResultStore {
    private static final Logger LOG = Logger.getLogger(ResultStore.class);

    private final Map<String, TargetStatus> byId = new HashMap<>();
    private final Map<String, List<TargetStatus>> byGroup = new LinkedHashMap<>();

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
        }
    }

    public void record(ProbeResult result) {
        TargetStatus status = byId.get(result.target().id());
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

    /** Targets of a deny group that the daemon can act as now. */
    public int scopeLeaks(String group) {
        int leaks = 0;
        for (TargetStatus status : group(group)) {
            ProbeResult result = status.effective();
            leaks += result != null && result.outcome() == Outcome.SCOPE_LEAK ? 1 : 0;
        }
        return leaks;
    }

    /** How many of a group's targets are in each state; every state is present. */
    public Map<TargetState, Integer> countByState(String group) {
        Map<TargetState, Integer> counts = new EnumMap<>(TargetState.class);
        for (TargetState state : TargetState.values()) {
            counts.put(state, 0);
        }
        for (TargetStatus status : group(group)) {
            counts.merge(status.state(), 1, Integer::sum);
        }
        return counts;
    }
}
