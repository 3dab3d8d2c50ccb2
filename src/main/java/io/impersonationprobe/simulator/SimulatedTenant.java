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
import java.util.concurrent.atomic.AtomicInteger;
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
    /** The on-premises role that lets a service account act as mailboxes. */
    public static final String IMPERSONATION_ROLE = "ApplicationImpersonation";
    /**
     * RBAC for Applications roles that open Microsoft Graph's mail API. Each allows reading a mail folder's ID (the
     * probe's request); Mail.Send alone does not.
     */
    public static final Set<String> GRAPH_FOLDER_ROLES = Set.of("Application Mail.ReadBasic", "Application Mail.Read",
            "Application Mail.ReadWrite");
    static final Set<String> ROLES = Set.of(EWS_APP_ROLE, IMPERSONATION_ROLE, "Application Mail.ReadBasic",
            "Application Mail.Read", "Application Mail.ReadWrite", "Application Mail.Send");
    /** Entra-consented Graph application permissions that open every mailbox's folders, whatever Exchange's scopes. */
    static final Set<String> GRAPH_UNSCOPED_PERMISSIONS = Set.of("Mail.ReadBasic.All", "Mail.ReadBasic", "Mail.Read",
            "Mail.ReadWrite");
    /** Exchange Online's EWSMaxConcurrency: requests in flight per principal before ErrorServerBusy. */
    static final int DEFAULT_CONCURRENCY_BUDGET = 27;
    static final String FULL_ACCESS_AS_APP = "full_access_as_app";

    private final Map<String, Mailbox> mailboxes = new LinkedHashMap<>();
    private final Map<String, App> apps = new LinkedHashMap<>();
    /** App roles of the daemon's own API ({@link DemoTenant#DAEMON_API}) granted to client apps, by app ID. */
    private final Map<String, List<String>> daemonApiRoles = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, ServiceAccount> serviceAccounts = new LinkedHashMap<>();
    private final Map<String, AtomicInteger> inFlight = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Org org = new Org(false, true, null, null, null, null);
    private volatile Faults faults = Faults.NONE;
    private final Map<String, ManagementScope> scopes = new LinkedHashMap<>();
    private final Map<String, RoleAssignment> assignments = new LinkedHashMap<>();
    /** Removed assignments that still grant access until the propagation delay has passed. */
    private final List<RoleAssignment> revoking = new ArrayList<>();
    private final String directoryId;
    private final String domain;
    private volatile Duration propagationDelay;
    private Duration clockOffset = Duration.ZERO;
    private final Stats stats = new Stats();

    /**
     * An application (service principal) of the tenant; {@code entraRoles} are admin-consented app roles and
     * {@code certificates} the public certificates registered for client assertions, by SHA-256 thumbprint.
     */
    public record App(String appId, String displayName, String secret, List<String> entraRoles,
                      Map<String, java.security.cert.X509Certificate> certificates) {
        public App(String appId, String displayName, String secret, List<String> entraRoles) {
            this(appId, displayName, secret, entraRoles, new java.util.concurrent.ConcurrentHashMap<>());
        }
    }

    /** An on-premises service account, authenticated with Basic. {@code name} is the sAMAccountName. */
    public record ServiceAccount(String domain, String name, String password) {
        String qualified() {
            return domain + "\\" + name;
        }
    }

    /**
     * Organisation settings that decide EWS access in Exchange Online.
     *
     * @param ewsAllowedAppIds null when no allow list is set (every app may use EWS)
     */
    public record Org(boolean isDehydrated, boolean ewsEnabled, List<String> ewsAllowedAppIds,
                      String ewsApplicationAccessPolicy, List<String> ewsAllowList, List<String> ewsBlockList) {
        boolean allowsEws(String appId, String userAgent) {
            return ewsEnabled && (appId == null || ewsAllowedAppIds == null || ewsAllowedAppIds.contains(appId))
                    && io.impersonationprobe.control.EwsAccessPolicy.allows(ewsApplicationAccessPolicy, ewsAllowList,
                    ewsBlockList, userAgent == null ? "" : userAgent);
        }
    }

    /**
     * Faults a scenario switches on. {@code responseCodes} maps a mailbox (or {@code *} for all) to an EWS error
     * code answered as a SOAP fault; {@code rawAnswer} replaces every EWS answer with a non-EWS one.
     */
    public record Faults(long ewsLatencyMs, Integer serviceUnavailableRetryAfterSeconds, Map<String, String> responseCodes,
                         RawAnswer rawAnswer, int concurrencyBudget, long serverBusyBackOffMs, long missingAnchorLatencyMs,
                         RawAnswer adminRawAnswer, long adminLatencyMs, long graphLatencyMs,
                         Integer graphThrottledRetryAfterSeconds, Integer graphUnavailableRetryAfterSeconds,
                         Map<String, String> graphErrors) {
        static final Faults NONE = new Faults(0, null, Map.of(), null, DEFAULT_CONCURRENCY_BUDGET, 5000, 250, null, 0,
                0, null, null, Map.of());
    }

    /** An answer that is not EWS: a wrong URL, a broken server, a login page. */
    public record RawAnswer(int status, String contentType, String body) {
    }

    public record ManagementScope(String name, RecipientFilter filter) {
    }

    /**
     * {@code assignee} is an app ID for RBAC for Applications or a service account name for ApplicationImpersonation;
     * {@code scope} null means the whole organisation; {@code removedAt} is set once the assignment was removed.
     * {@code effectiveAt} and {@code ineffectiveAt} fix, with the propagation delay of the moment, when the grant starts
     * and stops counting, as each cache entry in Exchange has its own lifetime.
     */
    public record RoleAssignment(String name, String role, String assignee, String scope, Instant createdAt,
                                 Instant removedAt, Instant effectiveAt, Instant ineffectiveAt) {
    }

    /** Counters that tests and the benchmark read through {@code /control/state}. */
    static final class Stats {
        final AtomicLong ewsRequests = new AtomicLong();
        final AtomicLong tokenRequests = new AtomicLong();
        final AtomicLong connectionsAccepted = new AtomicLong();
        final AtomicLong serverBusy = new AtomicLong();
        final AtomicLong ntlmHandshakes = new AtomicLong();
        final AtomicLong adminRequests = new AtomicLong();
        final AtomicLong graphRequests = new AtomicLong();
        final AtomicLong missingAnchorHeader = new AtomicLong();
        final AtomicLong anchorMismatch = new AtomicLong();
    }

    @Inject
    public SimulatedTenant(SimulatorConfig config) {
        this(config.propagationDelay());
    }

    SimulatedTenant(Duration propagationDelay) {
        this.directoryId = DemoTenant.DIRECTORY_ID;
        this.domain = DemoTenant.DOMAIN;
        this.propagationDelay = propagationDelay;
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

    public synchronized void addServiceAccount(ServiceAccount account) {
        if (account.name() == null || account.name().isBlank() || account.password() == null) {
            throw new IllegalArgumentException("name and password are required");
        }
        serviceAccounts.put(account.name().toLowerCase(java.util.Locale.ROOT), account);
    }

    /** The account a Basic user name (name, DOMAIN\\name or name@domain) and password authenticate, if any. */
    public synchronized Optional<ServiceAccount> authenticate(String user, String password) {
        String name = user.contains("\\") ? user.substring(user.indexOf('\\') + 1)
                : user.contains("@") ? user.substring(0, user.indexOf('@')) : user;
        ServiceAccount account = serviceAccounts.get(name.toLowerCase(java.util.Locale.ROOT));
        if (account == null || !java.security.MessageDigest.isEqual(account.password().getBytes(
                java.nio.charset.StandardCharsets.UTF_8), password.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            return Optional.empty();
        }
        return Optional.of(account);
    }

    /** Changes how long grants take to appear and to disappear, for assignments made or removed from now on too. */
    public void setPropagationDelay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("the propagation delay cannot be negative");
        }
        this.propagationDelay = delay;
    }

    /** A service account by sAMAccountName, for NTLM (which proves the password without sending it). */
    public synchronized Optional<ServiceAccount> serviceAccount(String name) {
        return Optional.ofNullable(serviceAccounts.get(name.toLowerCase(java.util.Locale.ROOT)));
    }

    public Org org() {
        return org;
    }

    public void setOrg(Org org) {
        this.org = org;
    }

    public Faults faults() {
        return faults;
    }

    public void setFaults(Faults faults) {
        if (faults.ewsLatencyMs() < 0 || faults.ewsLatencyMs() > 600_000) {
            throw new IllegalArgumentException("ewsLatencyMs must be between 0 and 600000");
        }
        if (faults.concurrencyBudget() < 1) {
            throw new IllegalArgumentException("concurrencyBudget must be at least 1");
        }
        for (String code : faults.responseCodes().values()) {
            if (!code.matches("Error[A-Za-z0-9]{1,80}")) {
                throw new IllegalArgumentException("'" + code + "' is not an EWS error code (ErrorSomething)");
            }
        }
        if (faults.graphLatencyMs() < 0 || faults.graphLatencyMs() > 600_000) {
            throw new IllegalArgumentException("graphLatencyMs must be between 0 and 600000");
        }
        for (Integer seconds : java.util.Arrays.asList(faults.graphThrottledRetryAfterSeconds(),
                faults.graphUnavailableRetryAfterSeconds())) {
            if (seconds != null && (seconds < 0 || seconds > 86_400)) {
                throw new IllegalArgumentException("a Graph Retry-After must be between 0 and 86400 seconds");
            }
        }
        for (String code : faults.graphErrors().values()) {
            if (!GraphEndpoint.ERRORS.containsKey(code)) {
                throw new IllegalArgumentException("'" + code + "' is not a Graph error the simulator knows; known: "
                        + new java.util.TreeSet<>(GraphEndpoint.ERRORS.keySet()));
            }
        }
        this.faults = faults;
    }

    /** Counts a request in flight for a principal; returns how many are in flight with it. */
    int enter(String principal) {
        return inFlight.computeIfAbsent(principal, p -> new AtomicInteger()).incrementAndGet();
    }

    void leave(String principal) {
        inFlight.get(principal).decrementAndGet();
    }

    /** Grants app roles of the daemon's own API to a client app (Entra: an app role assignment with admin consent). */
    public void grantDaemonApiRoles(String appId, List<String> roles) {
        daemonApiRoles.put(appId.toLowerCase(java.util.Locale.ROOT), List.copyOf(roles));
    }

    public List<String> daemonApiRoles(String appId) {
        return daemonApiRoles.getOrDefault(appId.toLowerCase(java.util.Locale.ROOT), List.of());
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

    /** Changes a scope's recipient filter; like Exchange's configuration, at once (the grant cache is separate). */
    public synchronized void changeScopeFilter(String name, String recipientFilter) {
        if (!scopes.containsKey(name)) {
            throw new IllegalArgumentException("no management scope named '" + name + "'");
        }
        scopes.put(name, new ManagementScope(name, RecipientFilter.parse(recipientFilter)));
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

    public synchronized RoleAssignment addAssignment(String name, String role, String assignee, String scope) {
        return addAssignment(name, role, assignee, scope, now());
    }

    synchronized RoleAssignment addAssignment(String name, String role, String assignee, String scope, Instant createdAt) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is required");
        }
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("unknown role '" + role + "'; known: " + ROLES);
        }
        if (org.isDehydrated()) {
            throw new IllegalStateException("This operation is not available in the current organization state "
                    + "(dehydrated). Run Enable-OrganizationCustomization first.");
        }
        if (role.startsWith("Application ") && !apps.containsKey(assignee)) {
            throw new IllegalArgumentException("no service principal with app ID '" + assignee + "'");
        }
        if (role.equals(IMPERSONATION_ROLE) && !serviceAccounts.containsKey(String.valueOf(assignee).toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("no service account named '" + assignee + "'");
        }
        if (scope != null && !scopes.containsKey(scope)) {
            throw new IllegalArgumentException("no management scope named '" + scope + "'");
        }
        if (assignments.containsKey(name)) {
            throw new IllegalStateException("role assignment " + name + " exists");
        }
        RoleAssignment assignment = new RoleAssignment(name, role, assignee, scope, createdAt, null,
                createdAt.plus(propagationDelay), null);
        assignments.put(name, assignment);
        return assignment;
    }

    /** Marks an assignment removed; it keeps granting access until the propagation delay has passed. */
    public synchronized boolean removeAssignment(String name) {
        RoleAssignment existing = assignments.remove(name);
        if (existing == null) {
            return false;
        }
        Instant now = now();
        revoking.add(new RoleAssignment(existing.name(), existing.role(), existing.assignee(), existing.scope(),
                existing.createdAt(), now, existing.effectiveAt(), now.plus(propagationDelay)));
        return true;
    }

    /** Whether Exchange, as of now, lets this app act as this mailbox over EWS. */
    public synchronized boolean canActAs(String appId, List<String> tokenRoles, Mailbox mailbox) {
        return tokenRoles.contains(FULL_ACCESS_AS_APP) || isGranted(EWS_APP_ROLE, appId, mailbox);
    }

    /**
     * Whether Exchange, as of now, lets this app read a mail folder of this mailbox over Microsoft Graph: an
     * Entra-consented Graph mail permission (unscoped), or an effective Graph mail role whose scope covers it.
     */
    public synchronized boolean canReadFolderOverGraph(String appId, List<String> tokenRoles, Mailbox mailbox) {
        if (tokenRoles.stream().anyMatch(GRAPH_UNSCOPED_PERMISSIONS::contains)) {
            return true;
        }
        for (String role : GRAPH_FOLDER_ROLES) {
            if (isGranted(role, appId, mailbox)) {
                return true;
            }
        }
        return false;
    }

    /** Whether an on-premises service account may impersonate this mailbox. */
    public synchronized boolean canImpersonate(ServiceAccount account, Mailbox mailbox) {
        return isGranted(IMPERSONATION_ROLE, account.name().toLowerCase(java.util.Locale.ROOT), mailbox);
    }

    private boolean isGranted(String role, String assignee, Mailbox mailbox) {
        Instant now = now();
        revoking.removeIf(a -> !isEffective(a, now));
        for (RoleAssignment assignment : allAssignments()) {
            if (assignment.assignee().equalsIgnoreCase(assignee) && assignment.role().equals(role) && isEffective(assignment, now)
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

    /** The configured assignments (removed ones are gone from configuration at once, whatever the cache still grants). */
    public synchronized List<RoleAssignment> configuredAssignments() {
        return List.copyOf(assignments.values());
    }

    public synchronized Map<String, String> scopeFilters() {
        Map<String, String> filters = new LinkedHashMap<>();
        scopes.values().forEach(scope -> filters.put(scope.name(), scope.filter().toString()));
        return filters;
    }

    /**
     * What Test-ServicePrincipalAuthorization reports: for each configured EWS assignment of the app, whether its scope
     * covers the mailbox, bypassing the permission cache.
     */
    public synchronized List<Map<String, Object>> testAuthorization(String appId, Mailbox mailbox) {
        List<Map<String, Object>> results = new ArrayList<>();
        for (RoleAssignment assignment : assignments.values()) {
            if (assignment.role().startsWith("Application ") && assignment.assignee().equalsIgnoreCase(appId)) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("RoleName", assignment.role());
                result.put("GrantedPermissions", assignment.role().substring("Application ".length()));
                result.put("AllowedResourceScope", assignment.scope() == null ? "Organization" : assignment.scope());
                result.put("ScopeType", assignment.scope() == null ? "Organization" : "CustomRecipientScope");
                result.put("InScope", assignment.scope() == null || covers(scopes.get(assignment.scope()), mailbox));
                results.add(result);
            }
        }
        return results;
    }

    private static boolean isEffective(RoleAssignment assignment, Instant now) {
        boolean granted = !assignment.effectiveAt().isAfter(now);
        boolean revoked = assignment.ineffectiveAt() != null && !assignment.ineffectiveAt().isAfter(now);
        return granted && !revoked;
    }

    private static boolean covers(ManagementScope scope, Mailbox mailbox) {
        return scope != null && scope.filter().matches(mailbox);
    }

    /** Counters for tests and the benchmark: {@code GET /control/stats}. */
    public Map<String, Object> statistics() {
        return Map.of(
                "ewsRequests", stats.ewsRequests.get(),
                "tokenRequests", stats.tokenRequests.get(),
                "connectionsAccepted", stats.connectionsAccepted.get(),
                "missingAnchorHeader", stats.missingAnchorHeader.get(),
                "anchorMismatch", stats.anchorMismatch.get(),
                "serverBusy", stats.serverBusy.get(),
                "ntlmHandshakes", stats.ntlmHandshakes.get(),
                "adminRequests", stats.adminRequests.get(),
                "graphRequests", stats.graphRequests.get());
    }

    /** The whole model as plain data, for {@code GET /control/state}. Secrets are left out. */
    public synchronized Map<String, Object> snapshot() {
        Instant now = now();
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("tenant", Map.of("directoryId", directoryId, "domain", domain));
        state.put("clock", Map.of("now", now.toString(), "offsetSeconds", clockOffset.toSeconds()));
        state.put("propagationDelaySeconds", propagationDelay.toSeconds());
        state.put("mailboxes", List.copyOf(mailboxes.values()));
        state.put("org", org);
        state.put("apps", apps.values().stream()
                .map(a -> Map.of("appId", a.appId(), "displayName", a.displayName(), "entraRoles", a.entraRoles(),
                        "certificateThumbprints", List.copyOf(a.certificates().keySet())))
                .toList());
        state.put("serviceAccounts", serviceAccounts.values().stream()
                .map(a -> Map.of("domain", a.domain(), "name", a.name())).toList());
        state.put("managementScopes", scopes.values().stream()
                .map(s -> Map.of("name", s.name(), "recipientFilter", s.filter().toString())).toList());
        List<Map<String, Object>> assignmentViews = new ArrayList<>();
        for (RoleAssignment a : allAssignments()) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("name", a.name());
            view.put("role", a.role());
            view.put("assignee", a.assignee());
            view.put("scope", a.scope());
            view.put("createdAt", a.createdAt().toString());
            view.put("removedAt", a.removedAt() == null ? null : a.removedAt().toString());
            view.put("effective", isEffective(a, now));
            assignmentViews.add(view);
        }
        state.put("roleAssignments", assignmentViews);
        state.put("faults", faults);
        state.put("stats", statistics());
        return state;
    }
}
