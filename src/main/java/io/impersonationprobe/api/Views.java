package io.impersonationprobe.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.impersonationprobe.auth.CredentialRegistry;
import io.impersonationprobe.config.ResolvedTenant;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.control.AccessConfiguration;
import io.impersonationprobe.control.ConfiguredAccess;
import io.impersonationprobe.control.ControlPlaneEvent;
import io.impersonationprobe.control.ControlPlanePoller;
import io.impersonationprobe.control.OrganizationState;
import io.impersonationprobe.control.Propagation;
import io.impersonationprobe.probe.MigrationReadiness;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.ProbeRunner;
import io.impersonationprobe.probe.ProbeScheduler;
import io.impersonationprobe.probe.ResultStore;
import io.impersonationprobe.probe.TargetState;
import io.impersonationprobe.probe.TargetStatus;
import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.TargetGroup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The daemon's state as the API and the status page show it: one place that turns results, groups and the control
 * plane into read-only views, so both say the same thing.
 */
@ApplicationScoped
public class Views {
    private final ValidatedConfig config;
    private final ResultStore store;
    private final ControlPlanePoller controlPlane;
    private final ProbeScheduler scheduler;
    private final ProbeRunner runner;
    private final CredentialRegistry credentials;
    private final MigrationReadiness readiness;
    private final Clock clock;

    @Inject
    public Views(ValidatedConfig config, ResultStore store, ControlPlanePoller controlPlane, ProbeScheduler scheduler,
                 ProbeRunner runner, CredentialRegistry credentials, MigrationReadiness readiness, Clock clock) {
        this.readiness = readiness;
        this.config = config;
        this.store = store;
        this.controlPlane = controlPlane;
        this.scheduler = scheduler;
        this.runner = runner;
        this.credentials = credentials;
        this.clock = clock;
    }

    /** One target's standing result. Fields are null while unknown. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TargetView(String id, String tenant, String group, String mailbox, String probe, String expect,
                             String state, String verdict, String outcome, Boolean success, String cause,
                             String remediation, Instant lastRunAt, Instant lastSuccessAt, Long durationMillis,
                             Integer httpStatus, String responseCode, String detail, String propagation,
                             String prediction, String predictionChain, List<ResultView> history) {
    }

    /** One result in a target's history. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ResultView(Instant startedAt, long durationMillis, String verdict, String outcome, boolean success,
                             boolean transientOutcome, Integer httpStatus, String responseCode, String detail) {
    }

    /** A group as one probe kind sees it: a group probed over EWS and Graph has a view for each. */
    public record GroupView(String name, String tenant, String probe, String expect, String interval, int targets,
                            Map<String, Integer> states, int scopeLeaks, int completedCycles) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TenantView(String id, String kind, String endpoint, String credential, String app,
                             Instant pausedUntil, OrganizationView organization, List<AssignmentView> roleAssignments,
                             Map<String, String> managementScopes, Map<String, Long> propagation, List<GroupView> groups,
                             List<EventView> events, MigrationReadinessView readiness, String directory,
                             Map<String, Map<String, Long>> predictions, Map<String, String> holders) {
    }

    /**
     * Readiness for the end of EWS in Exchange Online, from the groups probed over both EWS and Graph.
     *
     * @param ewsRetirement     when EWS in Exchange Online shuts down for good
     * @param daysLeft          whole days from now until then (negative once past)
     * @param ewsDecision       what Exchange decides today for the app over EWS (see {@link OrganizationView})
     * @param counts            targets by readiness state (ready, blocker, graph_leak, broken, unknown)
     * @param targets           every compared target; absent in the tenant list
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MigrationReadinessView(Instant ewsBlockingStarts, Instant ewsRetirement, long daysLeft, String ewsEnabled,
                                Boolean appAllowedToUseEws, String ewsDecision, String ewsDecisionReason, int blockers, int graphLeaks, Map<String, Integer> counts,
                                List<MigrationTargetView> targets) {
    }

    /** One target's EWS and Graph results side by side. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MigrationTargetView(String id, String group, String mailbox, String expect, String state,
                                      String ewsVerdict, String ewsOutcome, String graphVerdict, String graphOutcome,
                                      String graphCause, String graphRemediation) {
    }

    /**
     * The organisation's EWS settings and what Exchange decides from them for the daemon's app.
     *
     * @param ewsEnabled      true, false, null (not set: the default) or unknown
     * @param appAllowed      null when the settings do not tell
     * @param ewsDecision     allowed, allowed_for_now, blocked_ews_disabled, blocked_allow_list_empty,
     *                        blocked_not_in_allow_list, blocked_user_agent or unknown
     * @param pendingChange   a gate change still awaiting its effect: "changed at T, Exchange documents up to 24 h"
     * @param unreadable      properties the last read could not take as documented
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OrganizationView(Boolean isDehydrated, String ewsEnabled, List<String> ewsAllowedAppIds,
                                   String ewsApplicationAccessPolicy, Boolean userAgentAllowed, Boolean appAllowed,
                                   String ewsDecision, String ewsDecisionReason, String pendingChange,
                                   List<String> unreadable, Instant polledAt) {
        static OrganizationView of(OrganizationState org, String pendingChange) {
            return new OrganizationView(org.isDehydrated(), org.ewsEnabled().label(), org.ewsAllowedAppIds(),
                    org.ewsApplicationAccessPolicy(), org.userAgentAllowed(), org.decision().allows(),
                    org.decision().label(), org.decision().reason(), pendingChange,
                    org.unreadable().isEmpty() ? null : org.unreadable(), org.polledAt());
        }
    }

    /** @param delegation, scopeType on-premises: Regular or Delegating; the recipient write scope's type */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AssignmentView(String name, String role, String assignee, String scope, boolean enabled,
                                 Instant whenCreated, String delegation, String scopeType) {
    }

    /** @param since for a change made while the daemon was down: it happened between {@code since} and {@code at} */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EventView(Instant at, String type, String subject, String description, boolean securityRelevant,
                            Instant since) {
        static EventView of(ControlPlaneEvent event) {
            return new EventView(event.at(), event.type().label(), event.subject(), event.description(),
                    event.type().isSecurityRelevant(), event.since());
        }
    }

    public List<TargetStatus> targets() {
        return store.all();
    }

    /** A target's status as one probe kind sees it. */
    public Optional<TargetStatus> target(ProbeKind probe, String id) {
        return Optional.ofNullable(store.status(probe, id));
    }

    /** The probe kinds of a target's group, in configured order; empty for an unknown target. */
    public List<ProbeKind> probesOf(String group) {
        return config.groups().stream().filter(g -> g.name().equals(group)).findFirst().map(TargetGroup::probes)
                .orElse(List.of());
    }

    public TargetView target(TargetStatus status, boolean withHistory) {
        var target = status.target();
        ProbeResult result = status.effective();
        List<ResultView> history = withHistory ? status.history().stream().map(Views::result).toList() : null;
        String propagation = controlPlane.propagation(status).map(Propagation::label).orElse(null);
        // On-premises: what Active Directory predicts for the target, and why.
        ConfiguredAccess predicted = status.probe() == ProbeKind.EWS && controlPlane.predicts(target.tenant())
                ? controlPlane.configured(target.tenant(), target.id()).orElse(null) : null;
        String prediction = predicted == null ? null : predicted.decision().name().toLowerCase(Locale.ROOT);
        String chain = predicted == null ? null : predicted.chain();
        String state = status.state().label();
        if (result == null) {
            return new TargetView(target.id(), target.tenant(), target.group(), target.mailbox(), status.probe().label(),
                    target.expect().label(), state, null, null, null, null, null, null, null, null, null, null, null,
                    propagation, prediction, chain, history);
        }
        return new TargetView(target.id(), target.tenant(), target.group(), target.mailbox(), status.probe().label(),
                target.expect().label(), state, result.verdict().name().toLowerCase(Locale.ROOT), result.outcome().label(),
                result.success(), result.cause(), result.success() ? null : result.remediation(),
                status.last().startedAt(), status.lastSuccessAt(), result.duration().toMillis(),
                result.httpStatus() == 0 ? null : result.httpStatus(), result.responseCode(), result.detail(),
                propagation, prediction, chain, history);
    }

    private static ResultView result(ProbeResult r) {
        return new ResultView(r.startedAt(), r.duration().toMillis(), r.verdict().name().toLowerCase(Locale.ROOT),
                r.outcome().label(), r.success(), r.outcome().isTransient(), r.httpStatus() == 0 ? null : r.httpStatus(),
                r.responseCode(), r.detail());
    }

    public List<GroupView> groups(String tenant) {
        List<GroupView> groups = new ArrayList<>();
        for (TargetGroup group : config.groups()) {
            if (tenant != null && !group.tenant().equals(tenant)) {
                continue;
            }
            var progress = scheduler.progress().get(group.name());
            for (ProbeKind probe : group.probes()) {
                Map<String, Integer> states = new LinkedHashMap<>();
                store.countByState(group.name(), probe).forEach((state, count) -> states.put(state.label(), count));
                groups.add(new GroupView(group.name(), group.tenant(), probe.label(), group.expect().label(),
                        humanDuration(group.interval()), group.targets().size(), states,
                        store.scopeLeaks(group.name(), probe), progress == null ? 0 : progress.completedCycles()));
            }
        }
        return groups;
    }

    public List<String> tenantIds() {
        return config.tenants().keySet().stream().sorted().toList();
    }

    public Optional<TenantView> tenant(String id, boolean withDetail) {
        ResolvedTenant tenant = config.tenants().get(id);
        if (tenant == null) {
            return Optional.empty();
        }
        Instant paused = runner.pausedUntil(id);
        String pendingChange = controlPlane.pendingGate(id).map(ControlPlanePoller.PendingGate::describe).orElse(null);
        OrganizationView org = controlPlane.organization(id).map(o -> OrganizationView.of(o, pendingChange)).orElse(null);
        List<AssignmentView> assignments = null;
        Map<String, String> scopes = null;
        Map<String, Long> propagation = null;
        List<EventView> events = null;
        Map<String, Map<String, Long>> predictions = null;
        Map<String, String> holders = null;
        if (withDetail) {
            Optional<AccessConfiguration> access = controlPlane.access(id);
            assignments = access.map(a -> a.assignments().values().stream()
                    .map(r -> new AssignmentView(r.name(), r.role(), a.assigneeOf(r), r.scope(), r.enabled(),
                            r.whenCreated(), r.delegation(), r.scopeType()))
                    .toList()).orElse(null);
            scopes = access.map(AccessConfiguration::scopes).orElse(null);
            if (controlPlane.polls(id)) {
                Map<String, Long> counts = new LinkedHashMap<>();
                controlPlane.propagationCounts(id).forEach((state, count) -> counts.put(state.label(), count));
                propagation = counts;
            }
            events = controlPlane.events(id).stream().map(EventView::of).toList();
            if (controlPlane.predicts(id)) {
                predictions = controlPlane.predictionCounts(id);
                holders = access.map(AccessConfiguration::holders).orElse(null);
            }
        }
        return Optional.of(new TenantView(id, tenant.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                tenant.config().ewsUrl().toString(), credentials.ews(id).kind(), tenant.config().auth().clientId().orElse(null),
                paused.isAfter(clock.instant()) ? paused : null, org, assignments, scopes, propagation, groups(id), events,
                migrationReadiness(id, withDetail).orElse(null), tenant.directory() == null ? null : tenant.directory().url(),
                predictions, holders));
    }

    /** The tenant's readiness for the end of EWS; empty unless a group of it is probed over both EWS and Graph. */
    public Optional<MigrationReadinessView> migrationReadiness(String tenant, boolean withTargets) {
        if (!readiness.measured(tenant)) {
            return Optional.empty();
        }
        List<MigrationReadiness.TargetReadiness> targets = readiness.targets(tenant);
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (MigrationReadiness.State state : MigrationReadiness.State.values()) {
            counts.put(state.label(), 0);
        }
        targets.forEach(t -> counts.merge(t.state().label(), 1, Integer::sum));
        Optional<OrganizationState> org = controlPlane.organization(tenant);
        long daysLeft = Duration.between(clock.instant(), MigrationReadiness.EWS_RETIREMENT).toDays();
        return Optional.of(new MigrationReadinessView(MigrationReadiness.EWS_BLOCKING_STARTS, MigrationReadiness.EWS_RETIREMENT,
                daysLeft, org.map(o -> o.ewsEnabled().label()).orElse(null),
                org.map(o -> o.decision().allows()).orElse(null), org.map(o -> o.decision().label()).orElse(null),
                org.map(o -> o.decision().reason()).orElse(null),
                counts.get(MigrationReadiness.State.BLOCKER.label()), counts.get(MigrationReadiness.State.GRAPH_LEAK.label()),
                counts, withTargets ? targets.stream().map(Views::readiness).toList() : null));
    }

    private static MigrationTargetView readiness(MigrationReadiness.TargetReadiness t) {
        ProbeResult ews = t.ews();
        ProbeResult graph = t.graph();
        boolean graphWrong = graph != null && !graph.success();
        return new MigrationTargetView(t.target().id(), t.target().group(), t.target().mailbox(),
                t.target().expect().label(), t.state().label(),
                ews == null ? null : ews.verdict().name().toLowerCase(Locale.ROOT), ews == null ? null : ews.outcome().label(),
                graph == null ? null : graph.verdict().name().toLowerCase(Locale.ROOT),
                graph == null ? null : graph.outcome().label(), graphWrong ? graph.cause() : null,
                graphWrong ? graph.remediation() : null);
    }

    /** A duration as an admin writes it in configuration: 30s, 5m, 1h; odd ones in seconds. */
    static String humanDuration(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds > 0 && seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds > 0 && seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return duration.toMillis() % 1000 == 0 ? seconds + "s" : duration.toMillis() + "ms";
    }

    /** True when the target matches every given filter (null filters match all). */
    public static boolean matches(TargetStatus status, String tenant, String group, ProbeKind probe, TargetState state,
                                  String outcome) {
        ProbeResult result = status.effective();
        return (tenant == null || status.target().tenant().equals(tenant))
                && (probe == null || status.probe() == probe)
                && (group == null || status.target().group().equals(group))
                && (state == null || status.state() == state)
                && (outcome == null || (result != null && result.outcome().label().equals(outcome)));
    }
}
