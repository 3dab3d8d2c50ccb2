package io.impersonationprobe.control.onprem;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import io.impersonationprobe.control.ControlPlaneException;
import io.impersonationprobe.control.ControlPlaneException.Failure;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads what EWS decides impersonation from, as Exchange lays it out in Active Directory: the RootDSE's naming
 * contexts, the organisation container under {@code CN=Microsoft Exchange,CN=Services,<configNC>}, the roles holding
 * the entry {@code Impersonate-ExchangeUser} (by entry, so derived roles count), their assignments, every recipient
 * scope, the probing account's global and universal groups, and the targets' attributes that filters name.
 */
final class RbacReader {
    static final String IMPERSONATE = "Impersonate-ExchangeUser";
    /** groupType bits: a security group (not distribution), and a domain-local one, which never counts. */
    private static final long SECURITY = 0x80000000L;
    private static final long DOMAIN_LOCAL = 0x4L;
    /** Targets looked up per search. */
    private static final int TARGETS_PER_SEARCH = 50;

    private final Directory directory;
    private final String configNc;
    private final String defaultNc;
    private final int limit;

    private RbacReader(Directory directory, String configNc, String defaultNc, int limit) {
        this.directory = directory;
        this.configNc = configNc;
        this.defaultNc = defaultNc;
        this.limit = limit;
    }

    /** Starts from the RootDSE, which names the configuration and the domain's naming contexts. */
    static RbacReader on(Directory directory, int sizeLimit) throws ControlPlaneException {
        SearchResultEntry root = directory.read("", "configurationNamingContext", "defaultNamingContext")
                .orElseThrow(() -> new ControlPlaneException(Failure.INVALID_RESPONSE, "the directory has no RootDSE"));
        String config = root.getAttributeValue("configurationNamingContext");
        String domain = root.getAttributeValue("defaultNamingContext");
        if (config == null || domain == null) {
            throw new ControlPlaneException(Failure.INVALID_RESPONSE, "the RootDSE names no configurationNamingContext "
                    + "or defaultNamingContext: is this an Active Directory domain controller?");
        }
        return new RbacReader(directory, config, domain, sizeLimit);
    }

    /** The whole RBAC view for impersonation, with the account whose access is predicted. */
    Rbac read(String serviceAccount) throws ControlPlaneException {
        String organization = organization();
        String rbac = "CN=RBAC," + organization;
        Map<String, Rbac.Role> roles = roles("CN=Roles," + rbac);
        Map<String, Rbac.Scope> scopes = scopes("CN=Scopes," + rbac);
        List<Rbac.Assignment> assignments = assignments("CN=Role Assignments," + rbac, roles);
        Rbac.Principal account = principal(serviceAccount);
        return new Rbac(organization, roles, assignments, scopes, account, holders(assignments));
    }

    private String organization() throws ControlPlaneException {
        String exchange = "CN=Microsoft Exchange,CN=Services," + configNc;
        List<SearchResultEntry> orgs = directory.search(exchange, SearchScope.ONE,
                Filter.createEqualityFilter("objectClass", "msExchOrganizationContainer"), "cn");
        if (orgs.size() != 1) {
            throw new ControlPlaneException(orgs.isEmpty() ? Failure.NOT_FOUND : Failure.INVALID_RESPONSE,
                    (orgs.isEmpty() ? "no" : orgs.size()) + " Exchange organisation container(s) under " + exchange
                            + (orgs.isEmpty() ? " (is Exchange installed in this forest, and may the bind account read "
                            + "the configuration partition?)" : ""));
        }
        return orgs.get(0).getDN();
    }

    private Map<String, Rbac.Role> roles(String base) throws ControlPlaneException {
        Filter filter = Filter.createANDFilter(Filter.createEqualityFilter("objectClass", "msExchRole"),
                Filter.createORFilter(
                        Filter.createSubstringFilter("msExchRoleEntries", null, new String[]{IMPERSONATE}, null),
                        Filter.createSubstringFilter("msExchRoleEntriesExt", null, new String[]{IMPERSONATE}, null)));
        Map<String, Rbac.Role> roles = new HashMap<>();
        for (SearchResultEntry entry : directory.search(base, SearchScope.SUB, filter, "cn", "msExchRoleEntries",
                "msExchRoleEntriesExt", "msExchRoleType")) {
            if (holdsImpersonation(entry)) {
                int type = (int) Optional.ofNullable(entry.getAttributeValueAsLong("msExchRoleType")).orElse(-1L)
                        .longValue();
                roles.put(Rbac.key(entry.getDN()), new Rbac.Role(entry.getDN(), Rbac.name(entry.getDN()), type));
            }
        }
        return roles;
    }

    /** By entry, not by name: an entry's second comma-separated field is the cmdlet or permission it allows. */
    static boolean holdsImpersonation(SearchResultEntry role) {
        for (String attribute : List.of("msExchRoleEntries", "msExchRoleEntriesExt")) {
            String[] entries = role.getAttributeValues(attribute);
            for (String value : entries == null ? new String[0] : entries) {
                String[] fields = value.split(",");
                if (fields.length > 1 && fields[1].strip().equalsIgnoreCase(IMPERSONATE)) {
                    return true;
                }
            }
        }
        return false;
    }

    private Map<String, Rbac.Scope> scopes(String base) throws ControlPlaneException {
        Map<String, Rbac.Scope> scopes = new TreeMap<>();
        for (SearchResultEntry entry : directory.search(base, SearchScope.SUB,
                Filter.createEqualityFilter("objectClass", "msExchScope"), "cn", "msExchScopeRoot",
                "msExchQueryFilter", "msExchScopeFlags", "whenChanged")) {
            long flags = Optional.ofNullable(entry.getAttributeValueAsLong("msExchScopeFlags")).orElse(0L);
            String text = entry.getAttributeValue("msExchQueryFilter");
            OpathFilter filter = null;
            String error = null;
            if (text != null && !text.isBlank()) {
                try {
                    filter = OpathFilter.parse(text);
                } catch (IllegalArgumentException e) {
                    error = e.getMessage();
                }
            }
            scopes.put(Rbac.key(entry.getDN()), new Rbac.Scope(entry.getDN(), Rbac.name(entry.getDN()),
                    entry.getAttributeValue("msExchScopeRoot"), text, filter, error, (flags & 0x80000000L) != 0,
                    (flags & 0xFF) == 3, instant(entry, "whenChanged")));
        }
        return scopes;
    }

    private List<Rbac.Assignment> assignments(String base, Map<String, Rbac.Role> roles) throws ControlPlaneException {
        List<Rbac.Assignment> assignments = new ArrayList<>();
        Map<String, Optional<SearchResultEntry>> assignees = new HashMap<>();
        for (SearchResultEntry entry : directory.search(base, SearchScope.SUB,
                Filter.createEqualityFilter("objectClass", "msExchRoleAssignment"), "cn", "msExchRoleLink",
                "msExchUserLink", "msExchDomainRestrictionLink", "msExchRoleAssignmentFlags", "whenCreated",
                "whenChanged")) {
            Rbac.Role role = roles.get(Rbac.key(entry.getAttributeValue("msExchRoleLink")));
            String assignee = entry.getAttributeValue("msExchUserLink");
            Optional<RoleAssignmentFlags> flags = Optional.ofNullable(entry.getAttributeValue("msExchRoleAssignmentFlags"))
                    .flatMap(RoleAssignmentFlags::parse);
            if (role == null || assignee == null || flags.isEmpty()) {
                continue; // another role's assignment, or one Exchange itself could not use
            }
            Optional<SearchResultEntry> who = assignees.get(Rbac.key(assignee));
            if (who == null) {
                who = directory.read(assignee, "objectSid", "groupType", "cn");
                assignees.put(Rbac.key(assignee), who);
            }
            long groupType = who.map(e -> e.getAttributeValueAsLong("groupType")).orElse(0L);
            assignments.add(new Rbac.Assignment(entry.getDN(), Rbac.name(entry.getDN()), role, assignee,
                    Rbac.name(assignee), who.map(e -> e.getAttributeValueBytes("objectSid")).map(Sids::text)
                    .orElse(null), (groupType & DOMAIN_LOCAL) != 0, flags.get(),
                    entry.getAttributeValue("msExchDomainRestrictionLink"), instant(entry, "whenCreated"),
                    instant(entry, "whenChanged")));
        }
        assignments.sort((a, b) -> a.name().compareToIgnoreCase(b.name()));
        return assignments;
    }

    /** The probing account, by DN, {@code DOMAIN\name} (sAMAccountName) or UPN, with its token's groups. */
    Rbac.Principal principal(String account) throws ControlPlaneException {
        String[] attributes = {"objectSid", "memberOf", "cn", "sAMAccountName", "whenChanged"};
        SearchResultEntry user;
        if (account.contains("=")) {
            user = directory.read(account, attributes).orElseThrow(() -> new ControlPlaneException(Failure.NOT_FOUND,
                    "the service account " + account + " is not in the directory"));
        } else {
            int backslash = account.indexOf('\\');
            Filter name = backslash >= 0
                    ? Filter.createEqualityFilter("sAMAccountName", account.substring(backslash + 1))
                    : Filter.createORFilter(Filter.createEqualityFilter("userPrincipalName", account),
                    Filter.createEqualityFilter("sAMAccountName", account));
            List<SearchResultEntry> found = directory.search(defaultNc, SearchScope.SUB,
                    Filter.createANDFilter(Filter.createEqualityFilter("objectClass", "user"), name), attributes);
            if (found.size() != 1) {
                throw new ControlPlaneException(found.isEmpty() ? Failure.NOT_FOUND : Failure.INVALID_RESPONSE,
                        (found.isEmpty() ? "no user" : found.size() + " users") + " named " + account + " under "
                                + defaultNc + "; set control-plane.ldap.service-account to the account's DN");
            }
            user = found.get(0);
        }
        Map<String, Rbac.Group> walked = walk(user);
        Map<String, Rbac.Group> groups;
        String membership;
        Optional<List<String>> token = tokenGroups(user.getDN());
        if (token.isPresent()) {
            membership = "tokenGroupsGlobalAndUniversal";
            groups = new LinkedHashMap<>();
            for (String sid : token.get()) {
                groups.put(sid, walked.getOrDefault(sid, new Rbac.Group(null, sid, sid, List.of(sid), null)));
            }
        } else {
            membership = "memberOf walk (tokenGroupsGlobalAndUniversal not readable: add the bind account to the "
                    + "Windows Authorization Access group)";
            groups = walked;
        }
        return new Rbac.Principal(user.getDN(), Optional.ofNullable(user.getAttributeValue("sAMAccountName"))
                .orElse(Rbac.name(user.getDN())), Sids.text(user.getAttributeValueBytes("objectSid")), groups,
                membership, instant(user, "whenChanged"));
    }

    /**
     * The constructed attribute, which Active Directory computes only on a base-scope read and only for a bind
     * account with the right to (the Windows Authorization Access group); empty when it is not readable.
     */
    private Optional<List<String>> tokenGroups(String dn) {
        try {
            Optional<SearchResultEntry> entry = directory.read(dn, "tokenGroupsGlobalAndUniversal");
            Attribute attribute = entry.map(e -> e.getAttribute("tokenGroupsGlobalAndUniversal")).orElse(null);
            if (attribute == null) {
                return Optional.empty();
            }
            List<String> sids = new ArrayList<>();
            for (byte[] value : attribute.getValueByteArrays()) {
                String sid = Sids.text(value);
                if (sid != null) {
                    sids.add(sid);
                }
            }
            return Optional.of(sids);
        } catch (ControlPlaneException e) {
            return Optional.empty(); // refused (insufficient access): the memberOf walk stands in
        }
    }

    /** The account's global and universal security groups through memberOf, with the path to each; bounded. */
    private Map<String, Rbac.Group> walk(SearchResultEntry user) throws ControlPlaneException {
        Map<String, Rbac.Group> groups = new LinkedHashMap<>();
        Map<String, Boolean> seen = new HashMap<>();
        Deque<Map.Entry<String, List<String>>> queue = new ArrayDeque<>();
        for (String dn : values(user, "memberOf")) {
            queue.add(Map.entry(dn, List.of()));
        }
        while (!queue.isEmpty()) {
            var next = queue.poll();
            if (seen.put(Rbac.key(next.getKey()), true) != null) {
                continue;
            }
            if (seen.size() > limit) {
                throw new ControlPlaneException(Failure.TOO_LARGE, "the service account's groups exceed "
                        + limit + " (control-plane.ldap.size-limit)");
            }
            Optional<SearchResultEntry> group = directory.read(next.getKey(), "objectSid", "groupType", "memberOf",
                    "whenChanged");
            long type = group.map(g -> g.getAttributeValueAsLong("groupType")).orElse(0L);
            if (group.isEmpty() || (type & SECURITY) == 0 || (type & DOMAIN_LOCAL) != 0) {
                continue; // distribution and domain-local groups are not in the token, nor what they are nested in
            }
            List<String> path = new ArrayList<>(next.getValue());
            path.add(Rbac.name(next.getKey()));
            String sid = Sids.text(group.get().getAttributeValueBytes("objectSid"));
            groups.put(sid == null ? Rbac.key(next.getKey()) : sid, new Rbac.Group(group.get().getDN(),
                    Rbac.name(group.get().getDN()), sid, List.copyOf(path), instant(group.get(), "whenChanged")));
            for (String parent : values(group.get(), "memberOf")) {
                queue.add(Map.entry(parent, List.copyOf(path)));
            }
        }
        return groups;
    }

    /**
     * Everyone who holds an enabled, Regular impersonation assignment: user assignees, and the members (nested) of
     * group assignees that count, by DN, with how they hold it.
     */
    private Map<String, String> holders(List<Rbac.Assignment> assignments) throws ControlPlaneException {
        Map<String, String> holders = new TreeMap<>();
        for (Rbac.Assignment assignment : assignments) {
            if (!assignment.flags().grants() || assignment.assigneeLocal()) {
                continue;
            }
            String via = "assignment '" + assignment.name() + "'";
            if (assignment.flags().assigneeType() == 0) {
                holders.putIfAbsent(assignment.assigneeDn(), via);
                continue;
            }
            Deque<Map.Entry<String, String>> queue = new ArrayDeque<>();
            queue.add(Map.entry(assignment.assigneeDn(), "group '" + assignment.assigneeName() + "'"));
            Map<String, Boolean> seen = new HashMap<>();
            while (!queue.isEmpty()) {
                var group = queue.poll();
                if (seen.put(Rbac.key(group.getKey()), true) != null) {
                    continue;
                }
                for (SearchResultEntry member : directory.search(defaultNc, SearchScope.SUB,
                        Filter.createEqualityFilter("memberOf", group.getKey()), "objectClass", "groupType", "cn")) {
                    if (member.hasObjectClass("group")) {
                        long type = Optional.ofNullable(member.getAttributeValueAsLong("groupType")).orElse(0L);
                        if ((type & SECURITY) != 0 && (type & DOMAIN_LOCAL) == 0) {
                            queue.add(Map.entry(member.getDN(), "group '" + Rbac.name(member.getDN()) + "' (nested in "
                                    + group.getValue() + ")"));
                        }
                    } else if (holders.size() < limit) {
                        holders.putIfAbsent(member.getDN(), via + " through " + group.getValue());
                    } else {
                        throw new ControlPlaneException(Failure.TOO_LARGE, "more than " + limit + " principals hold "
                                + "impersonation (control-plane.ldap.size-limit)");
                    }
                }
            }
        }
        return holders;
    }

    /** The targets' directory entries by lower-case SMTP address (primary or secondary); absent ones are missing. */
    Map<String, DirectoryRecipient> recipients(List<String> smtp) throws ControlPlaneException {
        Map<String, DirectoryRecipient> found = new HashMap<>();
        for (int from = 0; from < smtp.size(); from += TARGETS_PER_SEARCH) {
            List<Filter> any = new ArrayList<>();
            for (String address : smtp.subList(from, Math.min(smtp.size(), from + TARGETS_PER_SEARCH))) {
                any.add(Filter.createEqualityFilter("proxyAddresses", "smtp:" + address));
            }
            for (SearchResultEntry entry : directory.search(defaultNc, SearchScope.SUB, Filter.createORFilter(any),
                    DirectoryRecipient.attributes())) {
                for (String proxy : values(entry, "proxyAddresses")) {
                    if (proxy.regionMatches(true, 0, "smtp:", 0, 5)) {
                        found.put(proxy.substring(5).toLowerCase(Locale.ROOT), new DirectoryRecipient(entry));
                    }
                }
            }
        }
        return found;
    }

    private static List<String> values(SearchResultEntry entry, String attribute) {
        String[] values = entry.getAttributeValues(attribute);
        return values == null ? List.of() : List.of(values);
    }

    private static Instant instant(SearchResultEntry entry, String attribute) {
        Date date = entry.getAttributeValueAsDate(attribute);
        return date == null ? null : date.toInstant();
    }
}
