package io.impersonationprobe.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.auth.CredentialRegistry;
import io.impersonationprobe.config.ResolvedTenant;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.metrics.ProbeMetrics;
import io.impersonationprobe.probe.Outcome;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.RemediationContext;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
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

    @Inject
    public ControlPlanePoller(ValidatedConfig config, CredentialRegistry credentials, Scheduler scheduler,
                              ProbeMetrics metrics, ObjectMapper json) {
        this.config = config;
        this.scheduler = scheduler;
        this.metrics = metrics;
        for (ResolvedTenant tenant : config.tenants().values()) {
            if (tenant.pollsControlPlane()) {
                credentials.tokens(tenant.id()).ifPresent(tokens ->
                        clients.put(tenant.id(), new AdminApiClient(tenant, tokens, json)));
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
            }
            metrics.adminPoll(tenant, ROLE_ASSIGNMENTS, null, Duration.between(started, Instant.now()));
        } catch (AdminApiException e) {
            LOG.warnf("Tenant %s: reading the role assignments failed (%s): %s", tenant, e.kind(), e.getMessage());
            metrics.adminPoll(tenant, ROLE_ASSIGNMENTS, e.kind(), Duration.between(started, Instant.now()));
        }
    }

    private void record(ControlPlaneEvent event) {
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
                metrics.organization(tenant, () -> organizations.get(tenant));
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
        } else if (result.outcome() == Outcome.EWS_BLOCKED && !org.appAllowed()) {
            context = "This app (" + appId + ") is not in EwsAllowedAppIDs: Set-OrganizationConfig -EwsAllowedAppIDs "
                    + "@{Add=\"" + appId + "\"} (allow up to 24 h).";
        }
        return context == null ? result : result.withRemediation(context + " " + result.remediation());
    }
}
