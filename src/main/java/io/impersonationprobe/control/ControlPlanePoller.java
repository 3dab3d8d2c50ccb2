package io.impersonationprobe.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.auth.CredentialRegistry;
import io.impersonationprobe.config.ProbeConfig;
import io.impersonationprobe.config.ResolvedTenant;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.control.ControlPlaneListener.Poll;
import io.impersonationprobe.control.PropagationTracker.ChangeKind;
import io.impersonationprobe.control.onprem.OnPremisesSource;
import io.impersonationprobe.probe.ProbeObserver;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.ResultStore;
import io.impersonationprobe.probe.TargetStatus;
import io.impersonationprobe.state.StateDirectory;
import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Target;
import io.impersonationprobe.target.TargetGroup;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Predicate;

/**
 * Reads each tenant's control plane from its {@link ControlPlaneSource} at the tenant's interval and keeps the last
 * state: the organisation's EWS settings, the role assignments and scopes, what is configured for the targets, and
 * the recent changes as events. A failed read is counted and logged, and the last known state stays. Each scheduled
 * EWS probe is compared with the configured access to measure how long grants take to propagate.
 */
@ApplicationScoped
public class ControlPlanePoller implements ProbeObserver {
    static final int EVENTS_KEPT = 200;
    /** How an on-premises prediction and a probe compare: the {@code agreement} label. */
    public static final List<String> AGREEMENTS = List.of("agrees", "pending", "mismatch", "unobserved");
    static final String EWS_APP_ROLE = "Application EWS.AccessAsApp";
    private static final Logger LOG = Logger.getLogger(ControlPlanePoller.class);

    private final Scheduler scheduler;
    private final Clock clock;
    private final PropagationTracker tracker;
    private final List<ControlPlaneListener> listeners;
    private final StateDirectory stateDirectory;
    private final Map<String, ControlPlaneSource> sources = new HashMap<>();
    private final Map<String, TenantState> states = new HashMap<>();

    /** The last state read of one tenant. */
    private static final class TenantState {
        final String appId;
        final ProbeConfig.ControlPlane settings;
        /** Targets the source checks per poll: a sample in Exchange Online, all of them on-premises. */
        final int sample;
        /** On-premises: how long a prediction the probe contradicts stays PENDING after the change; null otherwise. */
        final Duration cacheWindow;
        /** The tenant's targets probed over EWS, which Test-ServicePrincipalAuthorization answers for. */
        final List<TargetStatus> statuses;
        final List<Target> targets;
        volatile OrganizationState organization;
        volatile AccessConfiguration access;
        volatile Instant accessReadAt;
        /** Set after a restart until the first read: changes found then happened after this time. */
        volatile Instant restoredFrom;
        final Map<String, ConfiguredAccess> configured = new ConcurrentHashMap<>();
        final Deque<ControlPlaneEvent> events = new ConcurrentLinkedDeque<>();
        /** The answer properties already logged as unreadable, so each is logged once. */
        final Set<String> unreadableLogged = ConcurrentHashMap.newKeySet();

        TenantState(String appId, ProbeConfig.ControlPlane settings, List<TargetStatus> statuses, int sample,
                    Duration cacheWindow) {
            this.appId = appId;
            this.settings = settings;
            this.sample = sample;
            this.cacheWindow = cacheWindow;
            this.statuses = statuses;
            this.targets = statuses.stream().map(TargetStatus::target).toList();
        }
    }

    @Inject
    public ControlPlanePoller(ValidatedConfig config, CredentialRegistry credentials, Scheduler scheduler, Clock clock,
                              PropagationTracker tracker, Instance<ControlPlaneListener> listeners, ResultStore store,
                              StateDirectory stateDirectory, ObjectMapper json) {
        this.scheduler = scheduler;
        this.clock = clock;
        this.tracker = tracker;
        this.listeners = listeners.stream().toList();
        this.stateDirectory = stateDirectory;
        for (ResolvedTenant tenant : config.tenants().values()) {
            if (!config.pollsControlPlane(tenant)) {
                continue;
            }
            var settings = tenant.config().controlPlane();
            if (tenant.directory() != null) {
                sources.put(tenant.id(), new OnPremisesSource(tenant.directory(), clock));
                states.put(tenant.id(), new TenantState(tenant.directory().serviceAccount(), settings,
                        ewsStatuses(config, store, tenant.id()), Integer.MAX_VALUE, tenant.directory().cacheWindow()));
                continue;
            }
            credentials.adminTokens(tenant.id()).ifPresent(tokens -> {
                String appId = tenant.config().auth().clientId().orElse("");
                sources.put(tenant.id(), new ExchangeOnlineSource(new AdminApiClient(tenant, tokens, json, clock),
                        settings.authorizationSample(), clock, appId));
                states.put(tenant.id(), new TenantState(appId, settings, ewsStatuses(config, store, tenant.id()),
                        settings.authorizationSample(), null));
            });
        }
    }

    private static List<TargetStatus> ewsStatuses(ValidatedConfig config, ResultStore store, String tenant) {
        List<TargetStatus> statuses = new ArrayList<>();
        for (TargetGroup group : config.groups()) {
            if (group.tenant().equals(tenant)) {
                statuses.addAll(store.group(group.name(), ProbeKind.EWS));
            }
        }
        return List.copyOf(statuses);
    }

    void start(@Observes StartupEvent event) {
        for (String tenant : sources.keySet()) {
            restore(tenant);
            scheduler.newJob("control-plane-" + tenant)
                    .setInterval(states.get(tenant).settings.interval().toMillis() + "ms")
                    .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                    .setTask(execution -> poll(tenant))
                    .schedule();
        }
    }

    /** True when this tenant's control plane is read (by this replica). */
    public boolean polls(String tenant) {
        return sources.containsKey(tenant);
    }

    /** Reads the tenant's control plane now: the organisation, who may act as mailboxes, and the targets. Never throws. */
    public void poll(String tenant) {
        ControlPlaneSource source = sources.get(tenant);
        TenantState state = states.get(tenant);
        if (source.readsOrganization()) {
            read(tenant, Poll.ORGANIZATION_CONFIG,
                    () -> source.organization().ifPresent(org -> organizationRead(tenant, state, org)));
        }
        read(tenant, Poll.ROLE_ASSIGNMENTS, () -> accessRead(tenant, source, state, source.access()));
        if (!state.targets.isEmpty()) {
            read(tenant, Poll.AUTHORIZATION, () -> state.configured.putAll(source.configured(state.targets)));
        }
        save(tenant, state);
    }

    private static String stateName(String tenant) {
        return "control-plane-" + tenant;
    }

    /** Takes back what the state directory kept of the tenant: the next poll is compared with it. */
    private void restore(String tenant) {
        TenantState state = states.get(tenant);
        stateDirectory.read(stateName(tenant), ControlPlaneSnapshot.class).ifPresent(saved -> {
            ControlPlaneSnapshot snapshot = saved.data();
            state.organization = snapshot.organization();
            state.access = snapshot.access();
            state.accessReadAt = snapshot.accessReadAt();
            state.restoredFrom = snapshot.access() == null ? null : snapshot.accessReadAt();
            if (snapshot.events() != null) {
                state.events.addAll(snapshot.events());
            }
            if (snapshot.configured() != null) {
                state.configured.putAll(snapshot.configured());
            }
            if (snapshot.pending() != null) {
                tracker.restore(tenant, snapshot.pending());
            }
            LOG.infof("Tenant %s: control plane restored from the state saved %s (%d event(s), %d grant(s) awaiting "
                    + "their first effect); the next poll is compared with it", tenant, saved.savedAt(),
                    state.events.size(), tracker.pending(tenant).awaiting().size());
        });
    }

    private void save(String tenant, TenantState state) {
        if (stateDirectory.enabled()) {
            stateDirectory.write(stateName(tenant), new ControlPlaneSnapshot(state.organization, state.access,
                    state.accessReadAt, List.copyOf(state.events), Map.copyOf(state.configured),
                    tracker.pending(tenant)));
        }
    }

    @FunctionalInterface
    private interface Read {
        void run() throws ControlPlaneException;
    }

    private void read(String tenant, Poll poll, Read read) {
        Instant started = clock.instant();
        ControlPlaneException.Failure failure = null;
        try {
            read.run();
        } catch (ControlPlaneException e) {
            failure = e.failure();
            LOG.warnf("Tenant %s: the %s poll failed (%s): %s", tenant, poll.label(), failure.label(), e.getMessage());
        }
        Duration took = Duration.between(started, clock.instant());
        List<String> unreadable = sources.get(tenant).takeUnreadable();
        for (String property : unreadable) {
            if (states.get(tenant).unreadableLogged.add(property)) {
                LOG.warnf("Tenant %s: the admin API answered %s in a form Exchange does not document; it is read as "
                        + "unknown (logged once)", tenant, property);
            }
        }
        for (ControlPlaneListener listener : listeners) {
            listener.polled(tenant, poll, failure, took);
            if (!unreadable.isEmpty()) {
                listener.unreadable(tenant, poll, unreadable.size());
            }
        }
    }

    private void organizationRead(String tenant, TenantState state, OrganizationState now) {
        OrganizationState before = state.organization;
        state.organization = now;
        if (before == null || !Objects.equals(before.isDehydrated(), now.isDehydrated())
                || before.ewsEnabled() != now.ewsEnabled() || before.decision() != now.decision()) {
            LOG.infof("Tenant %s: IsDehydrated=%s, EwsEnabled=%s, Exchange decides %s for this app: %s", tenant,
                    now.isDehydrated(), now.ewsEnabled().label(), now.decision().label(), now.decision().reason());
        }
        if (before == null) {
            return;
        }
        Instant at = now.polledAt();
        Instant lastSeen = state.restoredFrom;
        if (before.ewsEnabled() != now.ewsEnabled() && before.ewsEnabled() != EwsEnabled.UNKNOWN
                && now.ewsEnabled() != EwsEnabled.UNKNOWN) {
            gateChanged(tenant, state, lastSeen, new PropagationTracker.GateChange(ChangeKind.EWS_ENABLED, at,
                    before.decision(), now.decision(), "EwsEnabled " + before.ewsEnabled().label() + " -> "
                    + now.ewsEnabled().label()),
                    ControlPlaneEvent.Type.EWS_ENABLED_CHANGED);
        }
        if (before.ewsAllowedAppIds() != null && now.ewsAllowedAppIds() != null
                && !normalized(before.ewsAllowedAppIds()).equals(normalized(now.ewsAllowedAppIds()))) {
            gateChanged(tenant, state, lastSeen, new PropagationTracker.GateChange(ChangeKind.ALLOW_LIST, at,
                    before.decision(), now.decision(), "EwsAllowedAppIDs '" + String.join(",", before.ewsAllowedAppIds()) + "' -> '"
                    + String.join(",", now.ewsAllowedAppIds()) + "'"), ControlPlaneEvent.Type.ALLOW_LIST_CHANGED);
        }
    }

    private void gateChanged(String tenant, TenantState state, Instant lastSeen, PropagationTracker.GateChange change,
                             ControlPlaneEvent.Type type) {
        tracker.gateChanged(tenant, change);
        ControlPlaneEvent event = new ControlPlaneEvent(change.at(), tenant, type, change.kind().label(),
                change.description() + "; Exchange now decides " + change.after().label() + " for this app, and "
                        + "documents up to " + humanWindow(gateWindows(state.settings).get(change.kind())));
        record(state, lastSeen == null ? event : event.seenAfterRestart(lastSeen));
    }

    private static Set<String> normalized(List<String> ids) {
        Set<String> set = new TreeSet<>();
        ids.forEach(id -> set.add(id.toLowerCase(Locale.ROOT)));
        return set;
    }

    /** How long each kind of change may take before it is called stuck, as the tenant configures them. */
    static Map<ChangeKind, Duration> gateWindows(ProbeConfig.ControlPlane settings) {
        Map<ChangeKind, Duration> windows = new EnumMap<>(ChangeKind.class);
        windows.put(ChangeKind.GRANT, settings.propagationWindow());
        windows.put(ChangeKind.EWS_ENABLED, settings.ewsEnabledPropagationWindow());
        windows.put(ChangeKind.ALLOW_LIST, settings.allowListPropagationWindow());
        return windows;
    }

    /** A window as Exchange's documentation says it: 24 h, 1 h, 90 min. */
    static String humanWindow(Duration window) {
        return window.toMinutes() % 60 == 0 ? window.toHours() + " h" : window.toMinutes() + " min";
    }

    private void accessRead(String tenant, ControlPlaneSource source, TenantState state, AccessConfiguration now) {
        AccessConfiguration before = state.access;
        Instant lastSeen = state.restoredFrom;
        state.access = now;
        state.accessReadAt = clock.instant();
        state.restoredFrom = null;
        if (before == null) {
            LOG.infof("Tenant %s: %d role assignment(s) grant mailbox access, %d management scope(s)", tenant,
                    now.assignments().size(), now.scopes().size());
            return;
        }
        for (ControlPlaneEvent event : now.changesSince(before, tenant, state.accessReadAt)) {
            record(state, lastSeen == null ? event : event.seenAfterRestart(lastSeen));
        }
        for (RoleAssignmentInfo grant : source.grantsGained(before, now)) {
            tracker.grantAdded(tenant, grant);
        }
    }

    private void record(TenantState state, ControlPlaneEvent event) {
        if (event.type().changesScope()) {
            tracker.scopeChanged(event.tenant(), event.subject(), event.at());
        }
        state.events.addFirst(event);
        while (state.events.size() > EVENTS_KEPT) {
            state.events.pollLast();
        }
        listeners.forEach(l -> l.changed(event));
        if (event.type().isSecurityRelevant()) {
            LOG.warnf("Tenant %s: SECURITY %s: %s", event.tenant(), event.type(), event.description());
        } else {
            LOG.infof("Tenant %s: %s: %s", event.tenant(), event.type(), event.description());
        }
    }

    /** The first access through a new grant measures the tenant's real propagation time. */
    @Override
    public void recorded(ProbeResult result, ProbeResult previous) {
        String tenant = result.target().tenant();
        if (result.probe() != ProbeKind.EWS || !polls(tenant)) {
            return; // Propagation is measured against the EWS role's assignments; Graph's mail roles are others.
        }
        ConfiguredAccess check = configured(tenant, result.target().id()).orElse(null);
        for (PropagationTracker.Effect effect : tracker.observed(tenant, check, result, previous)) {
            listeners.forEach(l -> l.tookEffect(tenant, effect.kind(), effect.delay()));
            LOG.infof("Tenant %s: %s '%s' took effect after %s (first probe to show it: %s)", tenant,
                    effect.kind().label(), effect.subject(), effect.delay(), result.target().mailbox());
        }
    }

    public Optional<OrganizationState> organization(String tenant) {
        TenantState state = states.get(tenant);
        return Optional.ofNullable(state == null ? null : state.organization);
    }

    public Optional<AccessConfiguration> access(String tenant) {
        TenantState state = states.get(tenant);
        return Optional.ofNullable(state == null ? null : state.access);
    }

    /** The tenant's recent control-plane events, newest first. */
    public List<ControlPlaneEvent> events(String tenant) {
        TenantState state = states.get(tenant);
        return state == null ? List.of() : List.copyOf(state.events);
    }

    /** The application (client) ID the tenant's probes authenticate as. */
    public String appId(String tenant) {
        return states.get(tenant).appId;
    }

    /** This daemon's app's EWS role assignments in the tenant, as the last poll read them. */
    public List<RoleAssignmentInfo> appAssignments(String tenant) {
        return appAssignments(tenant, role -> role.equalsIgnoreCase(EWS_APP_ROLE));
    }

    /** The probing app's assignments of the roles {@code role} accepts, such as the Graph mail roles. */
    public List<RoleAssignmentInfo> appAssignments(String tenant, Predicate<String> role) {
        TenantState state = states.get(tenant);
        AccessConfiguration known = state == null ? null : state.access;
        return known == null ? List.of() : known.assignmentsOf(state.appId, role);
    }

    /** The mailbox's own EwsEnabled (Get-CASMailbox) now, or empty where the source has none. */
    public Optional<EwsEnabled> mailboxEwsEnabled(String tenant, String mailbox) throws ControlPlaneException {
        ControlPlaneSource source = sources.get(tenant);
        if (source == null) {
            throw new IllegalStateException("tenant " + tenant + " has no control plane");
        }
        // What it could not read is logged and counted with the next poll.
        return source.mailboxEwsEnabled(mailbox);
    }

    /** Asks the control plane now what is configured for the mailbox, bypassing every cache. */
    public ConfiguredAccess configuredNow(String tenant, String mailbox) throws ControlPlaneException {
        ControlPlaneSource source = sources.get(tenant);
        if (source == null) {
            throw new IllegalStateException("tenant " + tenant + " has no control plane");
        }
        return source.configuredNow(mailbox);
    }

    /**
     * The target's last configured access, while it is no older than one full rotation of the sample (plus a poll): an
     * older one may no longer describe the configuration.
     */
    public Optional<ConfiguredAccess> configured(String tenant, String targetId) {
        TenantState state = states.get(tenant);
        ConfiguredAccess check = state == null ? null : state.configured.get(targetId);
        if (check == null) {
            return Optional.empty();
        }
        int sample = Math.max(1, state.sample);
        long rotations = (state.targets.size() + (long) sample - 1) / sample + 1;
        boolean stale = check.checkedAt().plus(state.settings.interval().multipliedBy(rotations)).isBefore(clock.instant());
        return stale ? Optional.empty() : Optional.of(check);
    }

    /** Since when the mailbox has been configured reachable over EWS, as far as the daemon's grants say. */
    public Instant coveredSince(String tenant, ConfiguredAccess check) {
        return tracker.coveredSince(tenant, check, appAssignments(tenant));
    }

    /** How long a configured grant may take before it is called stuck. */
    public Duration propagationWindow(String tenant) {
        return states.get(tenant).settings.propagationWindow();
    }

    /**
     * How a configured access compares with what a probe saw; empty while either is unknown. A refusal by an EWS gate
     * that a pending gate change has opened is PENDING on the clock of that change, whatever the grants say.
     */
    public Optional<Propagation> propagation(String tenant, ConfiguredAccess check, ProbeResult result) {
        Optional<Propagation> gate = tracker.gateState(tenant, result, gateWindows(states.get(tenant).settings));
        if (gate.isPresent()) {
            return gate;
        }
        if (check != null && check.predicted()) {
            return tracker.againstPrediction(check, cacheWindow(tenant), result);
        }
        return tracker.state(check, check == null ? null : coveredSince(tenant, check), propagationWindow(tenant), result);
    }

    /** The gate change whose effect is awaited, with the window Exchange documents for its kind. */
    public Optional<PendingGate> pendingGate(String tenant) {
        TenantState state = states.get(tenant);
        return state == null ? Optional.empty() : tracker.pendingGate(tenant).map(change -> new PendingGate(change,
                gateWindows(state.settings).get(change.kind())));
    }

    /** A gate change awaiting its effect, and how long its kind may take. */
    public record PendingGate(PropagationTracker.GateChange change, Duration window) {
        /** "changed at T, Exchange documents up to 24 h". */
        public String describe() {
            return change.description() + ": changed at " + change.at().truncatedTo(ChronoUnit.SECONDS)
                    + ", Exchange documents up to " + humanWindow(window);
        }
    }

    /** Whether the tenant's configured access is predicted from Active Directory (on-premises). */
    public boolean predicts(String tenant) {
        TenantState state = states.get(tenant);
        return state != null && state.cacheWindow != null;
    }

    /** On-premises: how long a change in Active Directory may take to reach EWS. */
    public Duration cacheWindow(String tenant) {
        return states.get(tenant).cacheWindow;
    }

    /** On-premises: the tenant's targets by prediction (allow, deny, unknown) and agreement with their probes. */
    public Map<String, Map<String, Long>> predictionCounts(String tenant) {
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        for (ConfiguredAccess.Decision decision : ConfiguredAccess.Decision.values()) {
            Map<String, Long> byAgreement = new LinkedHashMap<>();
            for (String agreement : AGREEMENTS) {
                byAgreement.put(agreement, 0L);
            }
            counts.put(decision.name().toLowerCase(Locale.ROOT), byAgreement);
        }
        TenantState state = states.get(tenant);
        for (TargetStatus status : state == null ? List.<TargetStatus>of() : state.statuses) {
            ConfiguredAccess check = configured(tenant, status.target().id()).orElse(null);
            if (check == null) {
                continue;
            }
            String agreement = propagation(status).map(ControlPlanePoller::agreement).orElse("unobserved");
            counts.get(check.decision().name().toLowerCase(Locale.ROOT)).merge(agreement, 1L, Long::sum);
        }
        return counts;
    }

    private static String agreement(Propagation propagation) {
        return switch (propagation) {
            case EFFECTIVE -> "agrees";
            case PENDING, REVOKE_PENDING, STUCK -> "pending";
            case MISMATCH -> "mismatch";
        };
    }

    /** How a target's configured access compares with what its EWS probes see; empty while either is unknown. */
    public Optional<Propagation> propagation(TargetStatus status) {
        String tenant = status.target().tenant();
        if (status.probe() != ProbeKind.EWS || !polls(tenant)) {
            return Optional.empty(); // Test-ServicePrincipalAuthorization is read for the EWS role only
        }
        return propagation(tenant, configured(tenant, status.target().id()).orElse(null), status.effective());
    }

    /** How many of the tenant's targets are in each propagation state; every state is present. */
    public Map<Propagation, Long> propagationCounts(String tenant) {
        Map<Propagation, Long> counts = new EnumMap<>(Propagation.class);
        for (Propagation propagation : Propagation.values()) {
            counts.put(propagation, 0L);
        }
        TenantState state = states.get(tenant);
        for (TargetStatus status : state == null ? List.<TargetStatus>of() : state.statuses) {
            propagation(status).ifPresent(propagation -> counts.merge(propagation, 1L, Long::sum));
        }
        return counts;
    }
}
