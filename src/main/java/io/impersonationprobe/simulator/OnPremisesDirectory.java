package io.impersonationprobe.simulator;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryDirectoryServerSnapshot;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedAddRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedAddResult;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedDeleteRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedDeleteResult;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedModifyDNRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedModifyRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedModifyResult;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchEntry;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSimpleBindResult;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ModifyRequest;
import com.unboundid.ldap.sdk.RDN;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.util.StaticUtils;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The on-premises tenant's Active Directory ({@link OnPremisesDemo}) on an LDAP listener of its own, as a domain
 * controller serves it: a RootDSE naming the configuration and default naming contexts, simple binds (a search or a
 * write needs one, a write the Administrator), {@code memberOf} kept from the groups' {@code member},
 * {@code tokenGroupsGlobalAndUniversal} constructed on a base-scope read, {@code whenChanged} stamped with the
 * simulator's clock, paged searches. Every change, through the control API or an LDAP write, is remembered with
 * its time: EWS decides from the directory as it was the RBAC cache delay ago (Exchange caches a caller's RBAC view
 * for 5 minutes), so a change takes effect once that delay has passed on the simulator's clock.
 */
public final class OnPremisesDirectory implements AutoCloseable {
    /** What Active Directory answers to a search on a connection that has not bound. */
    private static final String BIND_REQUIRED = "000004DC: LdapErr: DSID-0C090A5C, comment: In order to perform this "
            + "operation a successful bind must be completed on the connection., data 0, v4563";
    private static final String WRITE_REFUSED = "00000005: SecErr: DSID-03152870, problem 4003 (INSUFF_ACCESS_RIGHTS), "
            + "data 0";
    private static final int MAX_PAGE_SIZE = 1000;
    private static final int REMEMBERED_CONNECTIONS = 1024;

    private final InMemoryDirectoryServer server;
    private final Clock clock;
    private final Duration initialCacheDelay;
    private final InMemoryDirectoryServerSnapshot seeded;
    private final Instant seededAt;
    /** The directory after each change, oldest first; the first is the seeded content. */
    private final Deque<Version> versions = new ArrayDeque<>();
    /** Who each connection bound as, for the newest connections. */
    private final Map<Long, DN> boundAs = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, DN> eldest) {
            return size() > REMEMBERED_CONNECTIONS;
        }
    });
    private Duration cacheDelay;

    private record Version(Instant at, OnPremisesRbac directory) {
    }

    private OnPremisesDirectory(InMemoryDirectoryServer server, Clock clock, Duration cacheDelay) {
        this.server = server;
        this.clock = clock;
        this.initialCacheDelay = cacheDelay;
        this.cacheDelay = cacheDelay;
        this.seededAt = clock.instant();
        try {
            server.addEntries(OnPremisesDemo.entries(seededAt));
        } catch (LDAPException e) {
            throw new IllegalStateException("the on-premises demo directory cannot be built: " + e.getMessage(), e);
        }
        syncMemberOf();
        this.seeded = server.createSnapshot();
        remember(seededAt.minus(Duration.ofDays(1)));
    }

    /**
     * Starts the directory on {@code host:port} (0 takes a free port).
     *
     * @throws IllegalStateException when the listener cannot be opened
     */
    static OnPremisesDirectory start(String host, int port, Clock clock, Duration cacheDelay) {
        try {
            InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(OnPremisesDemo.DOMAIN_DN);
            config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getByName(host), port,
                    null));
            // Active Directory's attributes are not in the standard schema; the layout is the demo content's.
            config.setSchema(null);
            config.setMaxSizeLimit(MAX_PAGE_SIZE);
            config.addAdditionalBindCredentials(OnPremisesDemo.READER_DN, OnPremisesDemo.READER_PASSWORD);
            config.addAdditionalBindCredentials(OnPremisesDemo.ADMIN_DN, OnPremisesDemo.ADMIN_PASSWORD);
            config.setCustomRootDSEAttributes(List.of(
                    new Attribute("defaultNamingContext", OnPremisesDemo.DOMAIN_DN),
                    new Attribute("configurationNamingContext", OnPremisesDemo.CONFIGURATION_DN),
                    new Attribute("rootDomainNamingContext", OnPremisesDemo.DOMAIN_DN),
                    new Attribute("schemaNamingContext", "CN=Schema," + OnPremisesDemo.CONFIGURATION_DN),
                    new Attribute("dnsHostName", "dc01." + OnPremisesDemo.DOMAIN),
                    new Attribute("domainFunctionality", "7"),
                    new Attribute("isSynchronized", "TRUE")));
            Holder holder = new Holder();
            config.addInMemoryOperationInterceptor(new Interceptor(holder));
            InMemoryDirectoryServer server = new InMemoryDirectoryServer(config);
            OnPremisesDirectory directory = new OnPremisesDirectory(server, clock, cacheDelay);
            holder.directory = directory;
            server.startListening();
            return directory;
        } catch (LDAPException | UnknownHostException e) {
            throw new IllegalStateException("the simulator's LDAP directory cannot listen on " + host + ":" + port
                    + ": " + e.getMessage(), e);
        }
    }

    /** The LDAP listener's port. */
    public int port() {
        return server.getListenPort();
    }

    /** Back to the demo content, with the initial cache delay. */
    synchronized void reset() {
        server.restoreSnapshot(seeded);
        versions.clear();
        cacheDelay = initialCacheDelay;
        remember(seededAt.minus(Duration.ofDays(1)));
    }

    @Override
    public void close() {
        server.shutDown(true);
    }

    // ------------------------------------------------------------------------------------------------ decisions

    /** The directory as it is now. */
    synchronized OnPremisesRbac current() {
        return versions.getLast().directory();
    }

    /** The directory EWS decides from now: as it was the cache delay ago. */
    synchronized OnPremisesRbac effective() {
        Instant horizon = clock.instant().minus(cacheDelay);
        Iterator<Version> newestFirst = versions.descendingIterator();
        while (newestFirst.hasNext()) {
            Version version = newestFirst.next();
            if (!version.at().isAfter(horizon)) {
                return version.directory();
            }
        }
        return versions.getFirst().directory();
    }

    /** How long a change takes to reach EWS's decisions. */
    public synchronized Duration cacheDelay() {
        return cacheDelay;
    }

    public synchronized void setCacheDelay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("the cache delay cannot be negative");
        }
        cacheDelay = delay;
    }

    /** An account that authenticates to EWS, with its password, if the directory holds it. */
    Optional<ServiceAccount> account(String samAccountName) {
        String password = OnPremisesDemo.PASSWORDS.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(samAccountName)).map(Map.Entry::getValue).findFirst()
                .orElse(null);
        return password == null ? Optional.empty() : current().account(samAccountName).map(user ->
                new ServiceAccount(OnPremisesDemo.NETBIOS_DOMAIN, user.getAttributeValue("sAMAccountName"), password));
    }

    // ------------------------------------------------------------------------------------------------ changes

    /**
     * New-ManagementRoleAssignment -Role ApplicationImpersonation: to a user or a group (by {@code cn}), with a
     * management scope (custom, or exclusive when the scope is), or the whole organisation when there is none.
     */
    public synchronized void addAssignment(String name, String assignee, String scope, boolean delegating) {
        OnPremisesRbac now = current();
        Entry principal = byName(now, assignee).orElseThrow(() ->
                new IllegalArgumentException("no user or group named '" + assignee + "'"));
        int writeScope = RbacFlags.ORGANIZATION;
        String scopeDn = null;
        if (scope != null) {
            Entry scopeEntry = now.entry(OnPremisesRbac.dn("CN=" + scope + "," + OnPremisesDemo.SCOPES_DN))
                    .orElseThrow(() -> new IllegalArgumentException("no management scope named '" + scope + "'"));
            scopeDn = scopeEntry.getDN();
            writeScope = RbacFlags.exclusive(OnPremisesRbac.scopeFlags(scopeEntry))
                    ? RbacFlags.EXCLUSIVE_RECIPIENT_SCOPE : RbacFlags.CUSTOM_RECIPIENT_SCOPE;
        }
        String dn = assignmentDn(name);
        if (now.entry(OnPremisesRbac.dn(dn)).isPresent()) {
            throw new IllegalStateException("role assignment " + name + " exists");
        }
        int type = principal.hasObjectClass("group") ? RbacFlags.SECURITY_GROUP : RbacFlags.USER;
        String when = generalizedTime();
        Entry entry = new Entry(dn);
        entry.addAttribute("objectClass", "top", "msExchRoleAssignment");
        entry.addAttribute("cn", name);
        entry.addAttribute("distinguishedName", dn);
        entry.addAttribute("msExchRoleLink", "CN=" + OnPremisesDemo.IMPERSONATION_ROLE + "," + OnPremisesDemo.ROLES_DN);
        entry.addAttribute("msExchUserLink", principal.getDN());
        if (scopeDn != null) {
            entry.addAttribute("msExchDomainRestrictionLink", scopeDn);
        }
        entry.addAttribute("msExchRoleAssignmentFlags", String.valueOf(RbacFlags.assignment(true, type,
                delegating ? RbacFlags.DELEGATING : RbacFlags.REGULAR, writeScope)));
        entry.addAttribute("whenCreated", when);
        entry.addAttribute("whenChanged", when);
        write(() -> server.add(entry));
    }

    /** Remove-ManagementRoleAssignment. */
    public synchronized boolean removeAssignment(String name) {
        if (current().entry(OnPremisesRbac.dn(assignmentDn(name))).isEmpty()) {
            return false;
        }
        write(() -> server.delete(assignmentDn(name)));
        return true;
    }

    /** Set-ManagementRoleAssignment -Enabled. */
    public synchronized void setAssignmentEnabled(String name, boolean enabled) {
        Entry assignment = current().entry(OnPremisesRbac.dn(assignmentDn(name))).orElseThrow(() ->
                new NoSuchElementException("no role assignment named '" + name + "'"));
        long flags = RbacFlags.withEnabled(OnPremisesRbac.flags(assignment), enabled);
        modify(assignment.getDN(), new Modification(ModificationType.REPLACE, "msExchRoleAssignmentFlags",
                String.valueOf(flags)));
    }

    /** Set-ManagementScope -RecipientRestrictionFilter; the filter is checked as Exchange checks it. */
    public synchronized void setScopeFilter(String name, String filter) {
        String dn = "CN=" + name + "," + OnPremisesDemo.SCOPES_DN;
        if (current().entry(OnPremisesRbac.dn(dn)).isEmpty()) {
            throw new NoSuchElementException("no management scope named '" + name + "'");
        }
        OnPremisesScopeFilter.parse(filter);
        modify(dn, new Modification(ModificationType.REPLACE, "msExchQueryFilter", filter));
    }

    /** Add-ADGroupMember or Remove-ADGroupMember: a user or group (by {@code cn} or account name) into a group. */
    public synchronized void setMember(String group, String member, boolean in) {
        OnPremisesRbac now = current();
        Entry groupEntry = byName(now, group).filter(g -> g.hasObjectClass("group")).orElseThrow(() ->
                new NoSuchElementException("no group named '" + group + "'"));
        Entry memberEntry = byName(now, member).orElseThrow(() ->
                new NoSuchElementException("no user or group named '" + member + "'"));
        boolean present = groupEntry.hasAttributeValue("member", memberEntry.getDN())
                || List.of(groupEntry.getAttributeValues("member") == null ? new String[0]
                : groupEntry.getAttributeValues("member")).stream()
                .anyMatch(m -> OnPremisesRbac.dn(m).equals(OnPremisesRbac.dn(memberEntry.getDN())));
        if (present == in) {
            return;
        }
        modify(groupEntry.getDN(), new Modification(in ? ModificationType.ADD : ModificationType.DELETE, "member",
                memberEntry.getDN()));
    }

    private static Optional<Entry> byName(OnPremisesRbac directory, String name) {
        return directory.entries().stream().filter(e -> (e.hasObjectClass("user") || e.hasObjectClass("group"))
                && (name.equalsIgnoreCase(e.getAttributeValue("cn"))
                || name.equalsIgnoreCase(e.getAttributeValue("sAMAccountName")))).findFirst();
    }

    private static String assignmentDn(String name) {
        return "CN=" + escape(name) + "," + OnPremisesDemo.ASSIGNMENTS_DN;
    }

    private static String escape(String rdnValue) {
        return new RDN("CN", rdnValue).toString().substring(3);
    }

    private void modify(String dn, Modification change) {
        write(() -> server.modify(new ModifyRequest(dn, change, new Modification(ModificationType.REPLACE,
                "whenChanged", generalizedTime()))));
    }

    private interface Write {
        void run() throws LDAPException;
    }

    private void write(Write write) {
        try {
            write.run();
        } catch (LDAPException e) {
            throw new IllegalStateException(e.getDiagnosticMessage() != null ? e.getDiagnosticMessage() : e.getMessage(), e);
        }
        changed();
    }

    /** After a write: {@code memberOf} follows {@code member} again, and the directory is remembered as of now. */
    private synchronized void changed() {
        syncMemberOf();
        remember(clock.instant());
    }

    private void remember(Instant at) {
        versions.addLast(new Version(at, new OnPremisesRbac(all())));
        // Versions older than the one EWS decides from now are never needed again.
        Instant horizon = clock.instant().minus(cacheDelay);
        while (versions.size() > 1 && !versions.stream().skip(1).findFirst().orElseThrow().at().isAfter(horizon)) {
            versions.removeFirst();
        }
    }

    private List<Entry> all() {
        try {
            return new ArrayList<>(server.search(OnPremisesDemo.DOMAIN_DN, SearchScope.SUB, "(objectClass=*)")
                    .getSearchEntries());
        } catch (LDAPException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code memberOf} is a back link Active Directory derives from {@code member}; here it is rewritten after a change. */
    private void syncMemberOf() {
        OnPremisesRbac directory = new OnPremisesRbac(all());
        Map<DN, List<String>> wanted = new LinkedHashMap<>();
        for (Entry group : directory.entries()) {
            if (group.hasObjectClass("group") && group.hasAttribute("member")) {
                for (String member : group.getAttributeValues("member")) {
                    wanted.computeIfAbsent(OnPremisesRbac.dn(member), m -> new ArrayList<>()).add(group.getDN());
                }
            }
        }
        for (Entry entry : directory.entries()) {
            List<String> memberOf = wanted.getOrDefault(OnPremisesRbac.dn(entry.getDN()), List.of());
            List<String> has = entry.hasAttribute("memberOf") ? List.of(entry.getAttributeValues("memberOf")) : List.of();
            if (!memberOf.equals(has)) {
                try {
                    server.modify(entry.getDN(), memberOf.isEmpty()
                            ? new Modification(ModificationType.DELETE, "memberOf")
                            : new Modification(ModificationType.REPLACE, "memberOf", memberOf.toArray(String[]::new)));
                } catch (LDAPException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private String generalizedTime() {
        return StaticUtils.encodeGeneralizedTime(Date.from(clock.instant()));
    }

    /** The directory, once built: the interceptor is configured before the server exists. */
    private static final class Holder {
        private volatile OnPremisesDirectory directory;
    }

    /** Binds, access rules, constructed and stamped attributes, and changes made over LDAP. */
    private static final class Interceptor extends InMemoryOperationInterceptor {
        private final Holder holder;

        Interceptor(Holder holder) {
            this.holder = holder;
        }

        @Override
        public void processSimpleBindResult(InMemoryInterceptedSimpleBindResult result) {
            String bindDn = result.getRequest().getBindDN();
            if (result.getResult().getResultCode() == ResultCode.SUCCESS && !bindDn.isEmpty()) {
                holder.directory.boundAs.put(result.getConnectionID(), OnPremisesRbac.dn(bindDn));
            } else {
                holder.directory.boundAs.remove(result.getConnectionID());
            }
        }

        @Override
        public void processSearchRequest(InMemoryInterceptedSearchRequest request) throws LDAPException {
            // The RootDSE is open to anyone, as on a domain controller; everything else needs a bind.
            boolean rootDse = request.getRequest().getBaseDN().isEmpty()
                    && request.getRequest().getScope() == SearchScope.BASE;
            if (!rootDse && !holder.directory.boundAs.containsKey(request.getConnectionID())) {
                throw new LDAPException(ResultCode.OPERATIONS_ERROR, BIND_REQUIRED);
            }
        }

        @Override
        public void processSearchEntry(InMemoryInterceptedSearchEntry result) {
            var request = result.getRequest();
            boolean asked = request.getAttributeList().stream().anyMatch("tokenGroupsGlobalAndUniversal"::equalsIgnoreCase);
            // A constructed attribute: only on a base-scope read that names it.
            if (asked && request.getScope() == SearchScope.BASE) {
                Entry entry = result.getSearchEntry().duplicate();
                OnPremisesRbac directory = holder.directory.current();
                List<byte[]> sids = directory.entry(OnPremisesRbac.dn(entry.getDN()))
                        .map(e -> directory.groups(e, true).stream().map(g -> g.getAttributeValueBytes("objectSid"))
                                .toList()).orElse(List.of());
                if (!sids.isEmpty()) {
                    entry.addAttribute(new Attribute("tokenGroupsGlobalAndUniversal", sids.toArray(byte[][]::new)));
                }
                result.setSearchEntry(entry);
            }
        }

        @Override
        public void processAddRequest(InMemoryInterceptedAddRequest request) throws LDAPException {
            requireAdministrator(request.getConnectionID());
        }

        @Override
        public void processDeleteRequest(InMemoryInterceptedDeleteRequest request) throws LDAPException {
            requireAdministrator(request.getConnectionID());
        }

        @Override
        public void processModifyDNRequest(InMemoryInterceptedModifyDNRequest request) throws LDAPException {
            requireAdministrator(request.getConnectionID());
        }

        @Override
        public void processModifyRequest(InMemoryInterceptedModifyRequest request) throws LDAPException {
            requireAdministrator(request.getConnectionID());
            ModifyRequest modify = request.getRequest().duplicate();
            if (modify.getModifications().stream().anyMatch(m -> m.getAttributeName().equalsIgnoreCase("memberOf"))) {
                throw new LDAPException(ResultCode.UNWILLING_TO_PERFORM, "00002077: SvcErr: DSID-03152E29, problem "
                        + "5003 (WILL_NOT_PERFORM), data 0 (memberOf is a back link: change the group's member)");
            }
            List<Modification> changes = new ArrayList<>(modify.getModifications().stream()
                    .filter(m -> !m.getAttributeName().equalsIgnoreCase("whenChanged")).toList());
            changes.add(new Modification(ModificationType.REPLACE, "whenChanged", holder.directory.generalizedTime()));
            request.setRequest(new ModifyRequest(modify.getDN(), changes, modify.getControls()));
        }

        @Override
        public void processAddResult(InMemoryInterceptedAddResult result) {
            changedIfDone(result.getResult().getResultCode());
        }

        @Override
        public void processDeleteResult(InMemoryInterceptedDeleteResult result) {
            changedIfDone(result.getResult().getResultCode());
        }

        @Override
        public void processModifyResult(InMemoryInterceptedModifyResult result) {
            changedIfDone(result.getResult().getResultCode());
        }

        private void changedIfDone(ResultCode code) {
            if (code == ResultCode.SUCCESS) {
                holder.directory.changed();
            }
        }

        private void requireAdministrator(long connection) throws LDAPException {
            if (!OnPremisesRbac.dn(OnPremisesDemo.ADMIN_DN).equals(holder.directory.boundAs.get(connection))) {
                throw new LDAPException(ResultCode.INSUFFICIENT_ACCESS_RIGHTS, WRITE_REFUSED);
            }
        }
    }
}
