package io.impersonationprobe.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.impersonationprobe.auth.CredentialRegistry;
import io.impersonationprobe.config.ResolvedTenant;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.control.AccessConfiguration;
import io.impersonationprobe.control.ControlPlaneEvent;
import io.impersonationprobe.control.ControlPlanePoller;
import io.impersonationprobe.control.OrganizationState;
import io.impersonationprobe.control.Propagation;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.ProbeScheduler;
import io.impersonationprobe.probe.ResultStore;
import io.impersonationprobe.probe.TargetState;
import io.impersonationprobe.probe.TargetStatus;
import io.impersonationprobe.target.TargetGroup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

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
    private final CredentialRegistry credentials;

    @Inject
    public Views(ValidatedConfig config, ResultStore store, ControlPlanePoller controlPlane, ProbeScheduler scheduler,
                 CredentialRegistry credentials) {
        this.config = config;
        this.store = store;
        this.controlPlane = controlPlane;
        this.scheduler = scheduler;
        this.credentials = credentials;
    }

    /** One target's standing result. Fields are null while unknown. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TargetView(String id, String tenant, String group, String mailbox, String probe, String expect,
                             String state, String verdict, String outcome, Boolean success, String cause,
                             String remediation, Instant lastRunAt, Instant lastSuccessAt, Long durationMillis,
                             Integer httpStatus, String responseCode, String detail, String propagation,
                             List<ResultView> history) {
    }

    /** One result in a target's history. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ResultView(Instant startedAt, long durationMillis, String verdict, String outcome, boolean success,
                             boolean transientOutcome, Integer httpStatus, String responseCode, String detail) {
    }

    public record GroupView(String name, String tenant, String expect, String interval, int targets,
                            Map<String, Integer> states, int scopeLeaks, int completedCycles) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TenantView(String id, String kind, String endpoint, String credential, String app,
                             Instant pausedUntil, OrganizationView organization, List<AssignmentView> roleAssignments,
                             Map<String, String> managementScopes, Map<String, Long> propagation, List<GroupView> groups,
                             List<EventView> events) {
    }

    public record OrganizationView(boolean isDehydrated, boolean ewsEnabled, List<String> ewsAllowedAppIds,
                                   String ewsApplicationAccessPolicy, boolean userAgentAllowed, boolean appAllowed,
                                   Instant polledAt) {
        static OrganizationView of(OrganizationState org) {
            return new OrganizationView(org.isDehydrated(), org.ewsEnabled(), org.ewsAllowedAppIds(),
                    org.ewsApplicationAccessPolicy(), org.userAgentAllowed(), org.appAllowed(), org.polledAt());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AssignmentView(String name, String role, String assignee, String scope, boolean enabled,
                                 Instant whenCreated) {
    }

    public record EventView(Instant at, String type, String description, boolean securityRelevant) {
        static EventView of(ControlPlaneEvent event) {
            return new EventView(event.at(), event.type().label(), event.description(), event.type().isSecurityRelevant());
        }
    }

    public List<TargetStatus> targets() {
        return store.all();
    }

    public Optional<TargetStatus> target(String id) {
        return Optional.ofNullable(store.status(id));
    }

    public TargetView target(TargetStatus status, boolean withHistory) {
        var target = status.target();
        ProbeResult result = status.effective();
        List<ResultView> history = withHistory ? status.history().stream().map(Views::result).toList() : null;
        String propagation = controlPlane.propagation(status).map(Propagation::label).orElse(null);
        String state = status.state().label();
        if (result == null) {
            return new TargetView(target.id(), target.tenant(), target.group(), target.mailbox(), null,
                    target.expect().label(), state, null, null, null, null, null, null, null, null, null, null, null,
                    propagation, history);
        }
        return new TargetView(target.id(), target.tenant(), target.group(), target.mailbox(), result.probe(),
                target.expect().label(), state, result.verdict().name().toLowerCase(Locale.ROOT), result.outcome().label(),
                result.success(), result.cause(), result.success() ? null : result.remediation(),
                status.last().startedAt(), status.lastSuccessAt(), result.duration().toMillis(),
                result.httpStatus() == 0 ? null : result.httpStatus(), result.ewsResponseCode(), result.detail(),
                propagation, history);
    }

    private static ResultView result(ProbeResult r) {
        return new ResultView(r.startedAt(), r.duration().toMillis(), r.verdict().name().toLowerCase(Locale.ROOT),
                r.outcome().label(), r.success(), r.outcome().isTransient(), r.httpStatus() == 0 ? null : r.httpStatus(),
                r.ewsResponseCode(), r.detail());
    }

    public List<GroupView> groups(String tenant) {
        List<GroupView> groups = new ArrayList<>();
        for (TargetGroup group : config.groups()) {
            if (tenant != null && !group.tenant().equals(tenant)) {
                continue;
            }
            Map<String, Integer> states = new LinkedHashMap<>();
            store.countByState(group.name()).forEach((state, count) -> states.put(state.label(), count));
            var progress = scheduler.progress().get(group.name());
            groups.add(new GroupView(group.name(), group.tenant(), group.expect().label(), humanDuration(group.interval()),
                    group.targets().size(), states, store.scopeLeaks(group.name()),
                    progress == null ? 0 : progress.completedCycles()));
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
        Instant paused = scheduler.pausedUntil(id);
        OrganizationView org = controlPlane.organization(id).map(OrganizationView::of).orElse(null);
        List<AssignmentView> assignments = null;
        Map<String, String> scopes = null;
        Map<String, Long> propagation = null;
        List<EventView> events = null;
        if (withDetail) {
            Optional<AccessConfiguration> access = controlPlane.access(id);
            assignments = access.map(a -> a.assignments().values().stream()
                    .map(r -> new AssignmentView(r.name(), r.role(), r.assignee(), r.scope(), r.enabled(), r.whenCreated()))
                    .toList()).orElse(null);
            scopes = access.map(AccessConfiguration::scopes).orElse(null);
            if (controlPlane.polls(id)) {
                Map<String, Long> counts = new LinkedHashMap<>();
                for (Propagation state : Propagation.values()) {
                    counts.put(state.label(), 0L);
                }
                for (TargetStatus status : store.all()) {
                    if (status.target().tenant().equals(id)) {
                        controlPlane.propagation(status).ifPresent(p -> counts.merge(p.label(), 1L, Long::sum));
                    }
                }
                propagation = counts;
            }
            events = controlPlane.events(id).stream().map(EventView::of).toList();
        }
        return Optional.of(new TenantView(id, tenant.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                tenant.config().ewsUrl().toString(), credentials.ews(id).kind(), tenant.config().auth().clientId().orElse(null),
                paused.isAfter(Instant.now()) ? paused : null, org, assignments, scopes, propagation, groups(id), events));
    }

    /** A duration as an admin writes it in configuration: 30s, 5m, 1h; odd ones in seconds. */
    static String humanDuration(java.time.Duration duration) {
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
    public static boolean matches(TargetStatus status, String tenant, String group, TargetState state, String outcome) {
        ProbeResult result = status.effective();
        return (tenant == null || status.target().tenant().equals(tenant))
                && (group == null || status.target().group().equals(group))
                && (state == null || status.state() == state)
                && (outcome == null || (result != null && result.outcome().label().equals(outcome)));
    }
}
