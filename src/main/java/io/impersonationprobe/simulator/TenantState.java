package io.impersonationprobe.simulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * What the simulated tenant holds: mailboxes, applications and service accounts, management scopes, role
 * assignments (including removed ones whose revocation has not taken effect yet), organisation settings (as
 * configured and as enforced) and the propagation delays. Changes are checked as Exchange checks them; what the content allows is the access rules' call.
 */
public final class TenantState {
    private final Clock clock;
    private final Duration initialPropagationDelay;
    private final Map<String, Mailbox> mailboxes = new LinkedHashMap<>();
    private final Map<String, App> apps = new LinkedHashMap<>();
    /** App roles of the daemon's own API ({@link DemoTenant#DAEMON_API}) granted to client apps, by app ID. */
    private final Map<String, List<String>> daemonApiRoles = new LinkedHashMap<>();
    private final Map<String, ServiceAccount> serviceAccounts = new LinkedHashMap<>();
    private final Map<String, RecipientFilter> scopes = new LinkedHashMap<>();
    private final Map<String, RoleAssignment> assignments = new LinkedHashMap<>();
    /** Removed assignments that still grant access until the propagation delay has passed. */
    private final List<RoleAssignment> revoking = new ArrayList<>();
    private final OrgSettings org;
    private Duration propagationDelay;

    TenantState(Clock clock, PropagationDelays delays) {
        this.clock = clock;
        this.initialPropagationDelay = delays.grant();
        this.propagationDelay = delays.grant();
        this.org = new OrgSettings(delays.ewsEnabled(), delays.allowList());
    }

    /** Empties the tenant, restores the initial settings, then lets {@code seed} fill it, all in one step. */
    synchronized void reset(Consumer<TenantState> seed) {
        mailboxes.clear();
        apps.clear();
        daemonApiRoles.clear();
        serviceAccounts.clear();
        scopes.clear();
        assignments.clear();
        revoking.clear();
        org.reset();
        propagationDelay = initialPropagationDelay;
        seed.accept(this);
    }

    // ------------------------------------------------------------------------------------------------ mailboxes

    public synchronized Optional<Mailbox> mailbox(String smtp) {
        return Optional.ofNullable(mailboxes.get(smtp.toLowerCase(Locale.ROOT)));
    }

    public synchronized List<Mailbox> mailboxes() {
        return List.copyOf(mailboxes.values());
    }

    public synchronized void addMailbox(Mailbox mailbox) {
        String problem = Mailbox.problemWith(mailbox.smtp());
        if (problem != null) {
            throw new IllegalArgumentException("smtp " + problem);
        }
        if (mailboxes.putIfAbsent(mailbox.smtp(), mailbox) != null) {
            throw new IllegalStateException("mailbox " + mailbox.smtp() + " exists");
        }
    }

    /** Changes a mailbox's own settings (Set-CASMailbox, its licence); returns the mailbox as changed. */
    public synchronized Mailbox changeMailbox(String smtp, UnaryOperator<Mailbox> change) {
        Mailbox existing = mailbox(smtp).orElseThrow(() -> new NoSuchElementException("no mailbox " + smtp));
        Mailbox changed = change.apply(existing);
        mailboxes.put(existing.smtp(), changed);
        return changed;
    }

    public synchronized boolean removeMailbox(String smtp) {
        return mailboxes.remove(smtp.toLowerCase(Locale.ROOT)) != null;
    }

    // ------------------------------------------------------------------------------------------------ principals

    public synchronized void addApp(App app) {
        apps.put(app.appId(), app);
    }

    public synchronized Optional<App> app(String appId) {
        return Optional.ofNullable(apps.get(appId));
    }

    /**
     * The service principal an identity names, as Exchange resolves {@code -Identity} and {@code -App}: its AppId,
     * its ObjectId or its display name, case ignored.
     */
    public synchronized Optional<App> servicePrincipal(String identity) {
        if (identity == null) {
            return Optional.empty();
        }
        return apps.values().stream().filter(app -> app.appId().equalsIgnoreCase(identity)
                || app.objectId().equalsIgnoreCase(identity) || app.displayName().equalsIgnoreCase(identity)).findFirst();
    }

    public synchronized List<App> apps() {
        return List.copyOf(apps.values());
    }

    /** Registers a certificate on an app for client assertions; returns its base64url SHA-256 thumbprint. */
    public synchronized String addCertificate(String appId, X509Certificate certificate) {
        App app = app(appId).orElseThrow(() -> new IllegalArgumentException("no app " + appId));
        String thumbprint = ClientAssertions.thumbprint(certificate);
        app.certificates().put(thumbprint, certificate);
        return thumbprint;
    }

    /** Grants app roles of the daemon's own API to a client app (Entra: an app role assignment with admin consent). */
    public synchronized void grantDaemonApiRoles(String appId, List<String> roles) {
        daemonApiRoles.put(appId.toLowerCase(Locale.ROOT), List.copyOf(roles));
    }

    public synchronized List<String> daemonApiRoles(String appId) {
        return daemonApiRoles.getOrDefault(appId.toLowerCase(Locale.ROOT), List.of());
    }

    public synchronized void addServiceAccount(ServiceAccount account) {
        if (account.name() == null || account.name().isBlank() || account.password() == null) {
            throw new IllegalArgumentException("name and password are required");
        }
        serviceAccounts.put(account.name().toLowerCase(Locale.ROOT), account);
    }

    /** A service account by sAMAccountName, for NTLM (which proves the password without sending it). */
    public synchronized Optional<ServiceAccount> serviceAccount(String name) {
        return Optional.ofNullable(serviceAccounts.get(name.toLowerCase(Locale.ROOT)));
    }

    public synchronized List<ServiceAccount> serviceAccounts() {
        return List.copyOf(serviceAccounts.values());
    }

    /** The account a Basic user name (name, DOMAIN\\name or name@domain) and password authenticate, if any. */
    public synchronized Optional<ServiceAccount> authenticate(String user, String password) {
        String name = user.contains("\\") ? user.substring(user.indexOf('\\') + 1)
                : user.contains("@") ? user.substring(0, user.indexOf('@')) : user;
        ServiceAccount account = serviceAccounts.get(name.toLowerCase(Locale.ROOT));
        if (account == null || !MessageDigest.isEqual(account.password().getBytes(StandardCharsets.UTF_8),
                password.getBytes(StandardCharsets.UTF_8))) {
            return Optional.empty();
        }
        return Optional.of(account);
    }

    // ------------------------------------------------------------------------------------------------ scopes

    public synchronized void addScope(String name, String recipientFilter) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is required");
        }
        RecipientFilter filter = RecipientFilter.parse(recipientFilter == null ? "" : recipientFilter);
        if (scopes.putIfAbsent(name, filter) != null) {
            throw new IllegalStateException("management scope " + name + " exists");
        }
    }

    /** Set-ManagementScope -RecipientRestrictionFilter: the scope keeps its name and assignments. */
    public synchronized void changeScopeFilter(String name, String recipientFilter) {
        if (!scopes.containsKey(name)) {
            throw new IllegalArgumentException("no management scope named '" + name + "'");
        }
        scopes.put(name, RecipientFilter.parse(recipientFilter));
    }

    /** A scope still used by a pending revocation stays until that revocation has taken effect. */
    public synchronized boolean removeScope(String name) {
        pruneRevoked(clock.instant());
        if (revoking.stream().anyMatch(a -> name.equals(a.scope()))) {
            throw new IllegalStateException("management scope " + name + " is used by a removed role assignment "
                    + "whose revocation has not taken effect yet");
        }
        if (assignments.values().stream().anyMatch(a -> name.equals(a.scope()))) {
            throw new IllegalStateException("management scope " + name + " is used by a role assignment");
        }
        return scopes.remove(name) != null;
    }

    /** The filter of a management scope, if there is one by that name. */
    synchronized Optional<RecipientFilter> scope(String name) {
        return Optional.ofNullable(scopes.get(name));
    }

    /** Every management scope's recipient filter, by scope name. */
    public synchronized Map<String, String> scopeFilters() {
        Map<String, String> filters = new LinkedHashMap<>();
        scopes.forEach((name, filter) -> filters.put(name, filter.toString()));
        return filters;
    }

    // ------------------------------------------------------------------------------------------------ assignments

    public synchronized RoleAssignment addAssignment(String name, String role, String assignee, String scope) {
        return addAssignment(name, role, assignee, scope, clock.instant());
    }

    synchronized RoleAssignment addAssignment(String name, String role, String assignee, String scope, Instant createdAt) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is required");
        }
        if (!Roles.ALL.contains(role)) {
            throw new IllegalArgumentException("unknown role '" + role + "'; known: " + Roles.ALL);
        }
        if (org.configured().isDehydrated()) {
            throw new IllegalStateException("This operation is not available in the current organization state "
                    + "(dehydrated). Run Enable-OrganizationCustomization first.");
        }
        if (Roles.isApplicationRole(role)) {
            // -App takes the AppId, the ObjectId or the display name; the assignment holds the app's AppId.
            String app = assignee;
            assignee = servicePrincipal(app).map(App::appId).orElseThrow(() -> new IllegalArgumentException(
                    "no service principal with AppId, ObjectId or display name '" + app + "'"));
        }
        if (role.equals(Roles.APPLICATION_IMPERSONATION)
                && !serviceAccounts.containsKey(String.valueOf(assignee).toLowerCase(Locale.ROOT))) {
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

    /** Removes an assignment from the configuration; it keeps granting access until the propagation delay has passed. */
    public synchronized boolean removeAssignment(String name) {
        RoleAssignment existing = assignments.remove(name);
        if (existing == null) {
            return false;
        }
        revoking.add(existing.removed(clock.instant(), propagationDelay));
        return true;
    }

    /** The configured assignments (removed ones are gone from configuration at once, whatever the cache still grants). */
    public synchronized List<RoleAssignment> configuredAssignments() {
        return List.copyOf(assignments.values());
    }

    /** Configured assignments and removed ones whose revocation is still to take effect at {@code now}. */
    synchronized List<RoleAssignment> assignmentsInCache(Instant now) {
        pruneRevoked(now);
        List<RoleAssignment> all = new ArrayList<>(assignments.values());
        all.addAll(revoking);
        return all;
    }

    /** Configured assignments and every removed one still remembered, for the state view. */
    synchronized List<RoleAssignment> assignmentsWithRemoved() {
        List<RoleAssignment> all = new ArrayList<>(assignments.values());
        all.addAll(revoking);
        return all;
    }

    /** Forgets removed assignments that no longer grant anything. */
    private void pruneRevoked(Instant now) {
        revoking.removeIf(a -> !a.grantsAt(now));
    }

    // ------------------------------------------------------------------------------------------------ settings

    /** The organisation's settings as configured, as Get-OrganizationConfig reads them back. */
    public synchronized Org org() {
        return org.configured();
    }

    /** Configures the organisation; a change of EwsEnabled or of the allow list is enforced after its own delay. */
    public synchronized void setOrg(Org org) {
        this.org.configure(org, clock.instant());
    }

    /** The organisation's settings as EWS enforces them at {@code now}. */
    synchronized Org enforcedOrg(Instant now) {
        return org.enforcedAt(now);
    }

    /** The changes of EwsEnabled and of the allow list configured but not enforced yet. */
    synchronized List<Map<String, Object>> pendingOrgChanges(Instant now) {
        return org.pendingAt(now);
    }

    public synchronized Duration ewsEnabledDelay() {
        return org.ewsEnabledDelay();
    }

    public synchronized Duration allowListDelay() {
        return org.allowListDelay();
    }

    /** How long a change of EwsEnabled made from now on takes to be enforced. */
    public synchronized void setEwsEnabledDelay(Duration delay) {
        org.setEwsEnabledDelay(delay);
    }

    /** How long a change of EwsAllowedAppIDs made from now on takes to be enforced. */
    public synchronized void setAllowListDelay(Duration delay) {
        org.setAllowListDelay(delay);
    }

    public synchronized Duration propagationDelay() {
        return propagationDelay;
    }

    /** Changes how long grants take to appear and to disappear, for assignments made or removed from now on. */
    public synchronized void setPropagationDelay(Duration delay) {
        this.propagationDelay = PropagationDelays.requireNonNegative(delay);
    }
}
