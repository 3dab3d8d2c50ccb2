package io.impersonationprobe.probe;

import io.impersonationprobe.target.Expectation;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Target;
import io.impersonationprobe.target.TargetGroup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Readiness for the end of EWS in Exchange Online: for every target of a group probed over both EWS and Graph, the two
 * verdicts side by side. A mailbox the application must reach that works over EWS but not over Graph blocks the move;
 * a mailbox it must not reach that Graph opens is a scope leak the move would bring (and already a leak of the Graph
 * probe).
 */
@ApplicationScoped
public class MigrationReadiness {
    /** EWS in Exchange Online is switched off tenant by tenant from this day unless the org allows it. */
    public static final Instant EWS_BLOCKING_STARTS = Instant.parse("2026-10-01T00:00:00Z");
    /** EWS in Exchange Online shuts down for good on this day (the announced date). */
    public static final Instant EWS_RETIREMENT = Instant.parse("2027-04-01T00:00:00Z");

    /** Where one target stands for the move. */
    public enum State {
        /** Graph gives what the group expects: reachable for allow, refused for deny. */
        READY,
        /** Reachable over EWS but not over Graph, in an allow group: the move would lose it. */
        BLOCKER,
        /** Reachable over Graph in a deny group: a scope leak (one the move would bring when EWS refuses it). */
        GRAPH_LEAK,
        /** Neither probe gives the group's expectation over Graph, and EWS does not work either, or Graph cannot tell. */
        BROKEN,
        /** One of the two probes has no definite result yet. */
        UNKNOWN;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One target's EWS and Graph results (each null while unknown) and what they mean for the move. */
    public record TargetReadiness(Target target, ProbeResult ews, ProbeResult graph, State state) {
    }

    private final ValidatedConfig config;
    private final ResultStore store;

    @Inject
    public MigrationReadiness(ValidatedConfig config, ResultStore store) {
        this.config = config;
        this.store = store;
    }

    /** Whether any group of the tenant is probed over both EWS and Graph, so that readiness is measured. */
    public boolean measured(String tenant) {
        return config.groups().stream().anyMatch(g -> g.tenant().equals(tenant) && compares(g));
    }

    /** Every target of the tenant's groups probed over both, in configuration order. */
    public List<TargetReadiness> targets(String tenant) {
        List<TargetReadiness> all = new ArrayList<>();
        for (TargetGroup group : config.groups()) {
            if (!group.tenant().equals(tenant) || !compares(group)) {
                continue;
            }
            for (Target target : group.targets()) {
                TargetStatus ews = store.status(ProbeKind.EWS, target.id());
                TargetStatus graph = store.status(ProbeKind.GRAPH, target.id());
                ProbeResult e = ews == null ? null : ews.effective();
                ProbeResult g = graph == null ? null : graph.effective();
                all.add(new TargetReadiness(target, e, g, state(target.expect(), e, g)));
            }
        }
        return all;
    }

    /** Targets that work over EWS but not over Graph. */
    public int blockers(String tenant) {
        return (int) targets(tenant).stream().filter(t -> t.state() == State.BLOCKER).count();
    }

    static State state(Expectation expect, ProbeResult ews, ProbeResult graph) {
        if (ews == null || graph == null) {
            return State.UNKNOWN;
        }
        boolean graphAllowed = graph.verdict() == Verdict.ALLOWED;
        if (expect == Expectation.DENY) {
            if (graphAllowed) {
                return State.GRAPH_LEAK;
            }
            // An error never counts as a correct refusal.
            return graph.verdict() == Verdict.DENIED ? State.READY : State.BROKEN;
        }
        if (graphAllowed) {
            return State.READY;
        }
        return ews.verdict() == Verdict.ALLOWED ? State.BLOCKER : State.BROKEN;
    }

    private static boolean compares(TargetGroup group) {
        return group.probes().contains(ProbeKind.EWS) && group.probes().contains(ProbeKind.GRAPH);
    }
}
