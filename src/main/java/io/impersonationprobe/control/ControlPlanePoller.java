package io.impersonationprobe.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.auth.CredentialRegistry;
import io.impersonationprobe.config.ResolvedTenant;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.ews.EwsProbe;
import io.impersonationprobe.metrics.ProbeMetrics;
import io.impersonationprobe.probe.Outcome;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.RemediationContext;
import io.impersonationprobe.probe.ResultStore;
import io.impersonationprobe.probe.TargetStatus;
import io.impersonationprobe.probe.Verdict;
import io.impersonationprobe.target.TargetGroup;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Polls each Exchange Online tenant's organisation configuration through the admin API, publishes it, and lends it
 * to the probes' remediation: a refusal in a dehydrated org, or EWS gated off, is named as such. A failed poll is
 * counted and logged, and the last known state stays.
 */
@ApplicationScoped
public class ControlPlanePoller implements RemediationContext {
    static final String ORGANIZATION_CONFIG = "organization_config";
    private static final Logger LOG = Logger.getLogger(ControlPlanePoller.class);

    private final ValidatedConfig config;
    private final Scheduler scheduler;
    private final ProbeMetrics metrics;
    private final Map<String, AdminApiClient> clients = new ConcurrentHashMap<>();
    private final Map<String, OrganizationState> organizations = new ConcurrentHashMap<>();
    private final Map<String, AccessConfiguration> access = new ConcurrentHashMap<>();
    private final Map<String, java.util.Deque<ControlPlaneEvent>> events = new ConcurrentHashMap<>();
    static final int EVENTS_KEPT = 200;
    static final String ROLE_ASSIGNMENTS = "role_assignments";
    static final String AUTHORIZATION = "authorization";
    static final String EWS_APP_ROLE = "Application EWS.AccessAsApp";
    private final ResultStore store;
    /** Per target id: what Test-ServicePrincipalAuthorization last said. */
    private final Map<String, AuthorizationCheck> configured = new ConcurrentHashMap<>();
    private final Map<String, Integer> sampleCursor = new ConcurrentHashMap<>();
    private final Map<String, List<TargetStatus>> tenantTargets = new ConcurrentHashMap<>();
    /** Per tenant: this app's new EWS assignments whose first successful probe is still to come. */
    private final Map<String, Map<String, RoleAssignmentInfo>> awaitingAccess = new ConcurrentHashMap<>();
    /** Per tenant and scope: when its filter last changed (or it appeared), which restarts the propagation window. */
    private final Map<String, Map<String, Instant>> scopeChangedAt = new ConcurrentHashMap<>();

    @Inject
    public ControlPlanePoller(ValidatedConfig config, CredentialRegistry credentials, Scheduler scheduler,
                              ProbeMetrics metrics, ResultStore store, ObjectMapper json) {
        this.config = config;
        this.store = store;
        this.scheduler = scheduler;
        this.metrics = metrics;
        for (ResolvedTenant tenant : config.tenants().values()) {
            if (config.pollsControlPlane(tenant)) {
                credentials.adminTokens(tenant.id()).ifPresent(tokens ->
                        clients.put(tenant.id(), new AdminApiClient(tenant, tokens, json)));
                metrics.propagation(tenant.id(), java.util.Arrays.stream(Propagation.values()).map(Propagation::label).toList(),
                        state -> propagationCounts(tenant.id()).get(Propagation.valueOf(state.toUpperCase(java.util.Locale.ROOT))));
            }
        }
    }

    void start(@Observes StartupEvent event) {
        for (String tenant : clients.keySet()) {
            Duration interval = config.tenants().get(tenant).config().controlPlane().interval();
            scheduler.newJob("control-plane-" + tenant)
                    .setInterval(interval.toMillis() + "ms")
                    .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                    .setTask(execution -> poll(tenant))
                    .schedule();
        }
    }

    /** Reads the tenant's control plane now: the organisation, then who may act as mailboxes. Never throws. */
    public void poll(String tenant) {
        pollOrganization(tenant);
        pollAccess(tenant);
        pollAuthorization(tenant);
    }

    /** Checks the next sample of the tenant's targets with Test-ServicePrincipalAuthorization. */
    private void pollAuthorization(String tenant) {
        Instant started = Instant.now();
        List<TargetStatus> targets = targetsOf(tenant);
        if (targets.isEmpty()) {
            return;
        }
        int sample = Math.min(config.tenants().get(tenant).config().controlPlane().authorizationSample(), targets.size());
        int cursor = sampleCursor.getOrDefault(tenant, 0);
        try {
            for (int i = 0; i < sample; i++) {
                TargetStatus target = targets.get((cursor + i) % targets.size());
                try {
                    configured.put(target.target().id(), clients.get(tenant).testAuthorization(target.target().mailbox()));
                } catch (AdminApiException e) {
                    if (!e.kind().equals("object_not_found")) {
                        throw e;
                    }
                    // No such mailbox: its probe says MAILBOX_NOT_FOUND; nothing is configured for it.
                    configured.remove(target.target().id());
                }
            }
            sampleCursor.put(tenant, (cursor + sample) % targets.size());
            metrics.adminPoll(tenant, AUTHORIZATION, null, Duration.between(started, Instant.now()));
        } catch (AdminApiException e) {
            LOG.warnf("Tenant %s: Test-ServicePrincipalAuthorization failed (%s): %s", tenant, e.kind(), e.getMessage());
            metrics.adminPoll(tenant, AUTHORIZATION, e.kind(), Duration.between(started, Instant.now()));
        }
    }

    /** A tenant's targets; fixed at startup, so gathered once rather than on every scrape and check. */
    private List<TargetStatus> targetsOf(String tenant) {
        return tenantTargets.computeIfAbsent(tenant, t -> {
            List<TargetStatus> targets = new ArrayList<>();
            for (TargetGroup group : config.groups()) {
                if (group.tenant().equals(t)) {
                    // Test-ServicePrincipalAuthorization answers for the EWS role: compare it with EWS probes only.
                    targets.addAll(store.group(group.name(), EwsProbe.KIND));
                }
            }
            return List.copyOf(targets);
        });
    }

    /**
     * How a target's configured access compares with what its probes see; empty while either is unknown (not yet
     * sampled, never probed, or the probe could not tell).
     */
    public Optional<Propagation> propagation(TargetStatus status) {
        if (!EwsProbe.KIND.equals(status.probe())) {
            return Optional.empty(); // Test-ServicePrincipalAuthorization is read for the EWS role only
        }
        return propagation(status.target().tenant(), currentCheck(status.target().tenant(), status.target().id()),
                status.effective());
    }

    /** How many of the tenant's targets are in each propagation state; every state is present. */
    public Map<Propagation, Long> propagationCounts(String tenant) {
        Map<Propagation, Long> counts = new java.util.EnumMap<>(Propagation.class);
        for (Propagation state : Propagation.values()) {
            counts.put(state, 0L);
        }
        for (TargetStatus target : targetsOf(tenant)) {
            propagation(target).ifPresent(state -> counts.merge(state, 1L, Long::sum));
        }
        return counts;
    }

    /** How configured access ({@code check}) compares with what a probe saw; empty while either is unknown. */
    public Optional<Propagation> propagation(String tenant, AuthorizationCheck check, ProbeResult result) {
        if (check == null || result == null || result.verdict() == Verdict.ERROR) {
            return Optional.empty();
        }
        boolean reachable = result.verdict() == Verdict.ALLOWED;
        if (check.inScope() == reachable) {
            return Optional.of(Propagation.EFFECTIVE);
        }
        if (!check.inScope()) {
            return Optional.of(Propagation.REVOKE_PENDING);
        }
        Instant since = coveredSince(tenant, check);
        Duration window = config.tenants().get(tenant).config().controlPlane().propagationWindow();
        return Optional.of(since != null && since.plus(window).isBefore(Instant.now()) ? Propagation.STUCK
                : Propagation.PENDING);
    }

    /** True when this tenant's control plane is polled (Exchange Online with the admin API configured). */
    public boolean polls(String tenant) {
        return clients.containsKey(tenant);
    }

    /** Asks Test-ServicePrincipalAuthorization now which of the app's assignments cover the mailbox. */
    public AuthorizationCheck checkAuthorization(String tenant, String mailbox) throws AdminApiException {
        AdminApiClient client = clients.get(tenant);
        if (client == null) {
            throw new IllegalStateException("tenant " + tenant + " has no control plane");
        }
        return client.testAuthorization(mailbox);
    }

    /** This daemon's app's EWS role assignments in the tenant, as the last poll read them. */
    public List<RoleAssignmentInfo> appAssignments(String tenant) {
        return appAssignments(tenant, role -> role.equalsIgnoreCase(EWS_APP_ROLE));
    }

    /** The probing app's assignments of the roles {@code role} accepts, such as the Graph mail roles. */
    public List<RoleAssignmentInfo> appAssignments(String tenant, java.util.function.Predicate<String> role) {
        String appId = config.tenants().get(tenant).config().auth().clientId().orElse("");
        AccessConfiguration known = access.get(tenant);
        return known == null ? List.of() : known.assignments().values().stream()
                .filter(a -> role.test(a.role()) && a.assignee().equalsIgnoreCase(appId))
                .toList();
    }

    /**
     * The target's last Test-ServicePrincipalAuthorization answer, while it is no older than one full rotation of the
     * sample (plus a poll): an older one may no longer describe the configuration.
     */
    private AuthorizationCheck currentCheck(String tenant, String targetId) {
        AuthorizationCheck check = configured.get(targetId);
        if (check == null) {
            return null;
        }
        var controlPlane = config.tenants().get(tenant).config().controlPlane();
        int sample = Math.max(1, controlPlane.authorizationSample());
        long rotations = (targetsOf(tenant).size() + sample - 1) / sample + 1;
        return check.checkedAt().plus(controlPlane.interval().multipliedBy(rotations)).isBefore(Instant.now()) ? null : check;
    }

    /**
     * Since when the mailbox has been configured reachable: the oldest covering assignment's creation, or the last
     * change of its scope's filter when that came later.
     */
    private Instant coveredSince(String tenant, AuthorizationCheck check) {
        String appId = config.tenants().get(tenant).config().auth().clientId().orElse("");
        AccessConfiguration known = access.get(tenant);
        if (known == null) {
            return null;
        }
        return known.assignments().values().stream()
                .filter(a -> a.role().equalsIgnoreCase(EWS_APP_ROLE) && a.assignee().equalsIgnoreCase(appId))
                .filter(a -> check.coveringScopes().contains(a.scope() == null ? "Organization" : a.scope()))
                .filter(a -> a.whenCreated() != null)
                .map(a -> {
                    Instant changed = a.scope() == null ? null
                            : scopeChangedAt.getOrDefault(tenant, Map.of()).get(a.scope());
                    return changed != null && changed.isAfter(a.whenCreated()) ? changed : a.whenCreated();
                })
                .min(Instant::compareTo).orElse(null);
    }

    private void pollAccess(String tenant) {
        Instant started = Instant.now();
        try {
            AdminApiClient client = clients.get(tenant);
            AccessConfiguration now = AccessConfiguration.of(client.roleAssignments(), client.managementScopes());
            AccessConfiguration before = access.put(tenant, now);
            if (before == null) {
                metrics.roleAssignments(tenant, AccessConfiguration.MAILBOX_ROLES,
                        role -> access.get(tenant).countByRole().getOrDefault(role, 0L));
                LOG.infof("Tenant %s: %d role assignment(s) grant mailbox access, %d management scope(s)", tenant,
                        now.assignments().size(), now.scopes().size());
            } else {
                now.changesSince(before, tenant, Instant.now()).forEach(this::record);
                String appId = config.tenants().get(tenant).config().auth().clientId().orElse("");
                for (RoleAssignmentInfo assignment : now.assignments().values()) {
                    if (!before.assignments().containsKey(assignment.name()) && assignment.whenCreated() != null
                            && assignment.role().equalsIgnoreCase(EWS_APP_ROLE) && assignment.assignee().equalsIgnoreCase(appId)) {
                        awaitingAccess.computeIfAbsent(tenant, t -> new ConcurrentHashMap<>()).put(assignment.name(), assignment);
                    }
                }
            }
            metrics.adminPoll(tenant, ROLE_ASSIGNMENTS, null, Duration.between(started, Instant.now()));
        } catch (AdminApiException e) {
            LOG.warnf("Tenant %s: reading the role assignments failed (%s): %s", tenant, e.kind(), e.getMessage());
            metrics.adminPoll(tenant, ROLE_ASSIGNMENTS, e.kind(), Duration.between(started, Instant.now()));
        }
    }

    private void record(ControlPlaneEvent event) {
        if (event.type() == ControlPlaneEvent.Type.SCOPE_FILTER_CHANGED || event.type() == ControlPlaneEvent.Type.SCOPE_ADDED) {
            String scope = event.description().substring(0, event.description().indexOf(':'));
            scopeChangedAt.computeIfAbsent(event.tenant(), t -> new ConcurrentHashMap<>()).put(scope, event.at());
        }
        var kept = events.computeIfAbsent(event.tenant(), t -> new java.util.concurrent.ConcurrentLinkedDeque<>());
        kept.addFirst(event);
        while (kept.size() > EVENTS_KEPT) {
            kept.pollLast();
        }
        metrics.controlPlaneEvent(event.tenant(), event.type().label());
        if (event.type().isSecurityRelevant()) {
            LOG.warnf("Tenant %s: SECURITY %s: %s", event.tenant(), event.type(), event.description());
        } else {
            LOG.infof("Tenant %s: %s: %s", event.tenant(), event.type(), event.description());
        }
    }

    /** The tenant's recent control-plane events, newest first. */
    public java.util.List<ControlPlaneEvent> events(String tenant) {
        return java.util.List.copyOf(events.getOrDefault(tenant, new java.util.ArrayDeque<>()));
    }

    public Optional<AccessConfiguration> access(String tenant) {
        return Optional.ofNullable(access.get(tenant));
    }

    private void pollOrganization(String tenant) {
        Instant started = Instant.now();
        try {
            OrganizationState state = clients.get(tenant).organizationConfig();
            OrganizationState previous = organizations.put(tenant, state);
            if (previous == null) {
                metrics.organization(tenant, () -> organizations.get(tenant).isDehydrated(),
                        () -> organizations.get(tenant).ewsEnabled(), () -> organizations.get(tenant).appAllowed());
            }
            if (previous == null || previous.isDehydrated() != state.isDehydrated()
                    || previous.ewsEnabled() != state.ewsEnabled() || previous.appAllowed() != state.appAllowed()) {
                LOG.infof("Tenant %s: IsDehydrated=%s, EwsEnabled=%s, this app %s EWS", tenant, state.isDehydrated(),
                        state.ewsEnabled(), state.appAllowed() ? "may use" : "may NOT use");
            }
            metrics.adminPoll(tenant, ORGANIZATION_CONFIG, null, Duration.between(started, Instant.now()));
        } catch (AdminApiException e) {
            LOG.warnf("Tenant %s: reading the organisation configuration failed (%s): %s", tenant, e.kind(), e.getMessage());
            metrics.adminPoll(tenant, ORGANIZATION_CONFIG, e.kind(), Duration.between(started, Instant.now()));
        }
    }

    public Optional<OrganizationState> organization(String tenant) {
        return Optional.ofNullable(organizations.get(tenant));
    }

    @Override
    public ProbeResult annotate(ProbeResult result) {
        if (EwsProbe.KIND.equals(result.probe())) {
            // Propagation is measured against the EWS role's assignments; Graph's mail roles are others.
            measureDelay(result);
            result = explainDenial(result);
        }
        OrganizationState org = organizations.get(result.target().tenant());
        if (org == null) {
            return result;
        }
        String appId = config.tenants().get(result.target().tenant()).config().auth().clientId().orElse("<app ID>");
        String context = null;
        if (org.isDehydrated() && (result.outcome() == Outcome.IMPERSONATION_DENIED
                || result.outcome() == Outcome.ACCESS_DENIED) && !result.success()) {
            context = "The organisation is dehydrated (IsDehydrated=True): role assignments cannot be created until "
                    + "Enable-OrganizationCustomization has run once. Run it, then assign the role.";
        } else if (result.outcome() == Outcome.EWS_BLOCKED && !org.ewsEnabled()) {
            context = "EWS is switched off for the organisation (EwsEnabled=False): Set-OrganizationConfig -EwsEnabled $true.";
        } else if (result.outcome() == Outcome.EWS_BLOCKED && !org.userAgentAllowed()) {
            context = "EwsApplicationAccessPolicy " + org.ewsApplicationAccessPolicy() + " refuses the probe's user agent '"
                    + EwsProbe.userAgent() + "': Set-OrganizationConfig -EwsAllowList @{Add=\"impersonation-probe*\"} "
                    + "(or take it off EwsBlockList).";
        } else if (result.outcome() == Outcome.EWS_BLOCKED && !org.appAllowed()) {
            context = "This app (" + appId + ") is not in EwsAllowedAppIDs: Set-OrganizationConfig -EwsAllowedAppIDs "
                    + "@{Add=\"" + appId + "\"} (allow up to 24 h).";
        }
        return context == null ? result : result.withRemediation(context + " " + result.remediation());
    }

    /** The first access through a new assignment measures the tenant's real propagation time. */
    private void measureDelay(ProbeResult result) {
        Map<String, RoleAssignmentInfo> awaiting = awaitingAccess.get(result.target().tenant());
        AuthorizationCheck check = currentCheck(result.target().tenant(), result.target().id());
        TargetStatus status = store.status(result.probe(), result.target().id());
        ProbeResult before = status == null ? null : status.effective();
        // Only a mailbox that was not reachable before shows when the new grant arrived.
        if (awaiting == null || check == null || result.verdict() != Verdict.ALLOWED
                || (before != null && before.verdict() == Verdict.ALLOWED)) {
            return;
        }
        Instant accessed = result.startedAt().plus(result.duration());
        for (RoleAssignmentInfo assignment : List.copyOf(awaiting.values())) {
            String scope = assignment.scope() == null ? "Organization" : assignment.scope();
            if (check.coveringScopes().contains(scope) && !accessed.isBefore(assignment.whenCreated())
                    && awaiting.remove(assignment.name()) != null) {
                Duration delay = Duration.between(assignment.whenCreated(), accessed);
                metrics.propagationDelay(result.target().tenant(), delay);
                LOG.infof("Tenant %s: role assignment '%s' took effect after %s (first access: %s)",
                        result.target().tenant(), assignment.name(), delay, result.target().mailbox());
            }
        }
    }

    /** A denial of a mailbox that should be reachable says whether a grant is propagating, stuck, or missing. */
    private ProbeResult explainDenial(ProbeResult result) {
        if (result.success() || result.verdict() != Verdict.DENIED) {
            return result;
        }
        AuthorizationCheck check = currentCheck(result.target().tenant(), result.target().id());
        if (check == null) {
            return result;
        }
        String context;
        if (!check.inScope()) {
            context = "Test-ServicePrincipalAuthorization finds no role assignment of this app whose scope covers the "
                    + "mailbox" + (check.otherScopes().isEmpty() ? " (the app has no EWS assignment)"
                    : " (not in scope: " + String.join(", ", check.otherScopes()) + ")") + ".";
        } else {
            Instant since = coveredSince(result.target().tenant(), check);
            Duration window = config.tenants().get(result.target().tenant()).config().controlPlane().propagationWindow();
            boolean stuck = since != null && since.plus(window).isBefore(Instant.now());
            context = stuck ? "Configured access (scope " + String.join(", ", check.coveringScopes()) + ", since " + since
                    + ") has not taken effect within " + window + ": check that the assignment is enabled, that no "
                    + "application access policy blocks the app, and open a support case if it persists."
                    : "Configured access exists (scope " + String.join(", ", check.coveringScopes())
                    + (since == null ? "" : ", assigned " + since) + ") and is still propagating: Exchange Online caches "
                    + "grants for 30 min to 2 h.";
        }
        return result.withRemediation(context + " " + result.remediation());
    }
}
