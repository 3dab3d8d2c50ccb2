package io.impersonationprobe.simulator;

import io.impersonationprobe.target.MailboxAddress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one model behind every endpoint of the simulator: every answer follows from this state. Access is granted
 * only by an Entra-consented {@code full_access_as_app} (which, as in Exchange Online, overrides any scope) or by a
 * role assignment whose scope covers the mailbox and whose propagation delay has passed; a removed assignment keeps
 * granting access until the same delay has passed again.
 */
@ApplicationScoped
public class SimulatedTenant {
    /** The RBAC for Applications role that grants app-only EWS access. */
    public static final String EWS_APP_ROLE = "Application EWS.AccessAsApp";
    static final Set<String> ROLES = Set.of(EWS_APP_ROLE);
    static final String FULL_ACCESS_AS_APP = "full_access_as_app";

    private final Map<String, Mailbox> mailboxes = new LinkedHashMap<>();
    private final Map<String, App> apps = new LinkedHashMap<>();
    private final Map<String, ManagementScope> scopes = new LinkedHashMap<>();
    private final Map<String, RoleAssignment> assignments = new LinkedHashMap<>();
    /** Removed assignments that still grant access until the propagation delay has passed. */
    private final List<RoleAssignment> revoking = new ArrayList<>();
    private final String directoryId;
    private final String domain;
    private final Duration propagationDelay;
    private Duration clockOffset = Duration.ZERO;
    private volatile long ewsLatencyMillis;
    private final Stats stats = new Stats();

    /** An application (service principal) of the tenant; {@code entraRoles} are admin-consented app roles. */
    public record App(String appId, String displayName, String secret, List<String> entraRoles) {
    }

    public record ManagementScope(String name, RecipientFilter filter) {
    }

    /** {@code scope} null means the whole organisation; {@code removedAt} is set once the assignment was removed. */
    public record RoleAssignment(String name, String role, String app, String scope, Instant createdAt, Instant removedAt) {
    }

    /** Counters that tests and the benchmark read through {@code /control/state}. */
    static final class Stats {
        final AtomicLong ewsRequests = new AtomicLong();
        final AtomicLong tokenRequests = new AtomicLong();
        final AtomicLong connectionsOpened = new AtomicLong();
        final AtomicLong missingAnchorHeader = new AtomicLong();
        final AtomicLong anchorMismatch = new AtomicLong();
    }

    @Inject
    public SimulatedTenant(SimulatorConfig config) {
        this.directoryId = DemoTenant.DIRECTORY_ID;
        this.domain = DemoTenant.DOMAIN;
        this.propagationDelay = config.propagationDelay();
        DemoTenant.seed(this);
    }

    Stats stats() {
        return stats;
    }

    public String directoryId() {
        return directoryId;
    }

    public String domain() {
        return domain;
    }

    /** True for the tenant's GUID or its initial domain, as Entra accepts both in the authority URL. */
    boolean isTenant(String id) {
        return directoryId.equalsIgnoreCase(id) || domain.equalsIgnoreCase(id);
    }

    /** The simulated clock: real time plus whatever a scenario has moved it by. */
    public synchronized Instant now() {
        return Clock.systemUTC().instant().plus(clockOffset);
    }

    public synchronized Instant advanceClock(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("the clock only moves forward");
        }
        clockOffset = clockOffset.plus(by);
        return now();
    }

    public synchronized Optional<Mailbox> mailbox(String smtp) {
        return Optional.ofNullable(mailboxes.get(smtp.toLowerCase(java.util.Locale.ROOT)));
    }

    public synchronized void addMailbox(Mailbox mailbox) {
        String problem = MailboxAddress.problemWith(mailbox.smtp());
        if (problem != null) {
            throw new IllegalArgumentException("smtp " + problem);
        }
        if (mailboxes.putIfAbsent(mailbox.smtp(), mailbox) != null) {
            throw new IllegalStateException("mailbox " + mailbox.smtp() + " exists");
        }
    }

    public synchronized boolean removeMailbox(String smtp) {
        return mailboxes.remove(smtp.toLowerCase(java.util.Locale.ROOT)) != null;
    }

    public synchronized void addApp(App app) {
        apps.put(app.appId(), app);
    }

    public synchronized Optional<App> app(String appId) {
        return Optional.ofNullable(apps.get(appId));
    }

    public synchronized void addScope(String name, String recipientFilter) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is required");
        }
        RecipientFilter filter = RecipientFilter.parse(recipientFilter == null ? "" : recipientFilter);
        if (scopes.putIfAbsent(name, new ManagementScope(name, filter)) != null) {
            throw new IllegalStateException("management scope " + name + " exists");
        }
    }

    /** A scope still used by a pending revocation stays until that revocation has taken effect. */
    public synchronized boolean removeScope(String name) {
        revoking.removeIf(a -> !isEffective(a, now()));
        if (revoking.stream().anyMatch(a -> name.equals(a.scope()))) {
            throw new IllegalStateException("management scope " + name + " is used by a removed role assignment "
                    + "whose revocation has not taken effect yet");
        }
        if (assignments.values().stream().anyMatch(a -> name.equals(a.scope()))) {
            throw new IllegalStateException("management scope " + name + " is used by a role assignment");
        }
        return scopes.remove(name) != null;
    }

    public synchronized RoleAssignment addAssignment(String name, String role, String app, String scope) {
        return addAssignment(name, role, app, scope, now());
    }

    synchronized RoleAssignment addAssignment(String name, String role, String app, String scope, Instant createdAt) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is required");
        }
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("unknown role '" + role + "'; known: " + ROLES);
        }
        if (!apps.containsKey(app)) {
            throw new IllegalArgumentException("no service principal with app ID '" + app + "'");
        }
        if (scope != null && !scopes.containsKey(scope)) {
            throw new IllegalArgumentException("no management scope named '" + scope + "'");
        }
        if (assignments.containsKey(name)) {
            throw new IllegalStateException("role assignment " + name + " exists");
        }
        RoleAssignment assignment = new RoleAssignment(name, role, app, scope, createdAt, null);
        assignments.put(name, assignment);
        return assignment;
    }

    /** Marks an assignment removed; it keeps granting access until the propagation delay has passed. */
    public synchronized boolean removeAssignment(String name) {
        RoleAssignment existing = assignments.remove(name);
        if (existing == null) {
            return false;
        }
        revoking.add(new RoleAssignment(existing.name(), existing.role(), existing.app(), existing.scope(),
                existing.createdAt(), now()));
        return true;
    }

    /** Whether Exchange, as of now, lets this app act as this mailbox over EWS. */
    public synchronized boolean canActAs(String appId, List<String> tokenRoles, Mailbox mailbox) {
        if (tokenRoles.contains(FULL_ACCESS_AS_APP)) {
            return true;
        }
        Instant now = now();
        revoking.removeIf(a -> !isEffective(a, now));
        for (RoleAssignment assignment : allAssignments()) {
            if (assignment.app().equals(appId) && assignment.role().equals(EWS_APP_ROLE) && isEffective(assignment, now)
                    && (assignment.scope() == null || covers(scopes.get(assignment.scope()), mailbox))) {
                return true;
            }
        }
        return false;
    }

    private List<RoleAssignment> allAssignments() {
        List<RoleAssignment> all = new ArrayList<>(assignments.values());
        all.addAll(revoking);
        return all;
    }

    private boolean isEffective(RoleAssignment assignment, Instant now) {
        boolean granted = !assignment.createdAt().plus(propagationDelay).isAfter(now);
        boolean revoked = assignment.removedAt() != null && !assignment.removedAt().plus(propagationDelay).isAfter(now);
        return granted && !revoked;
    }

    private static boolean covers(ManagementScope scope, Mailbox mailbox) {
        return scope != null && scope.filter().matches(mailbox);
    }

    public long ewsLatencyMillis() {
        return ewsLatencyMillis;
    }

    public void setEwsLatencyMillis(long millis) {
        if (millis < 0 || millis > 600_000) {
            throw new IllegalArgumentException("ewsLatencyMs must be between 0 and 600000");
        }
        this.ewsLatencyMillis = millis;
    }

    /** The whole model as plain data, for {@code GET /control/state}. Secrets are left out. */
    public synchronized Map<String, Object> snapshot() {
        Instant now = now();
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("tenant", Map.of("directoryId", directoryId, "domain", domain));
        state.put("clock", Map.of("now", now.toString(), "offsetSeconds", clockOffset.toSeconds()));
        state.put("propagationDelaySeconds", propagationDelay.toSeconds());
        state.put("mailboxes", List.copyOf(mailboxes.values()));
        state.put("apps", apps.values().stream()
                .map(a -> Map.of("appId", a.appId(), "displayName", a.displayName(), "entraRoles", a.entraRoles()))
                .toList());
        state.put("managementScopes", scopes.values().stream()
                .map(s -> Map.of("name", s.name(), "recipientFilter", s.filter().toString())).toList());
        List<Map<String, Object>> assignmentViews = new ArrayList<>();
        for (RoleAssignment a : allAssignments()) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("name", a.name());
            view.put("role", a.role());
            view.put("app", a.app());
            view.put("scope", a.scope());
            view.put("createdAt", a.createdAt().toString());
            view.put("removedAt", a.removedAt() == null ? null : a.removedAt().toString());
            view.put("effective", isEffective(a, now));
            assignmentViews.add(view);
        }
        state.put("roleAssignments", assignmentViews);
        state.put("faults", Map.of("ewsLatencyMs", ewsLatencyMillis));
        state.put("stats", Map.of(
                "ewsRequests", stats.ewsRequests.get(),
                "tokenRequests", stats.tokenRequests.get(),
                "connectionsOpened", stats.connectionsOpened.get(),
                "missingAnchorHeader", stats.missingAnchorHeader.get(),
                "anchorMismatch", stats.anchorMismatch.get()));
        return state;
    }
}
