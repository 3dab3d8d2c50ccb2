package io.impersonationprobe.simulator;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether an on-premises account may impersonate a mailbox, decided from one picture of the directory as EWS
 * decides it: the account and the global and universal groups it is in, directly or through nested groups; the
 * enabled, regular assignments to any of them of a role holding the entry {@code Impersonate-ExchangeUser}; each
 * assignment's recipient write scope (the organisation, an OU, or a management scope's root and filter); and the
 * exclusive rule: a mailbox inside an exclusive scope is reached only through exclusive assignments.
 */
final class OnPremisesRbac {
    private static final String RIGHT = "Impersonate-ExchangeUser";

    private final Map<DN, Entry> entries = new LinkedHashMap<>();
    /** Group DNs by member DN, from each group's {@code member} (the link Active Directory stores). */
    private final Map<DN, List<DN>> groupsOf = new LinkedHashMap<>();
    private final Map<String, Optional<OnPremisesScopeFilter>> filters = new ConcurrentHashMap<>();

    /** The outcome and the chain that decided it, in words. */
    record Decision(boolean allowed, String because) {
    }

    OnPremisesRbac(Collection<? extends Entry> directory) {
        for (Entry entry : directory) {
            entries.put(dn(entry.getDN()), entry.duplicate());
        }
        for (Entry entry : entries.values()) {
            if (entry.hasObjectClass("group") && entry.hasAttribute("member")) {
                for (String member : entry.getAttributeValues("member")) {
                    groupsOf.computeIfAbsent(dn(member), m -> new ArrayList<>()).add(dn(entry.getDN()));
                }
            }
        }
    }

    Collection<Entry> entries() {
        return entries.values();
    }

    Optional<Entry> entry(DN dn) {
        return Optional.ofNullable(entries.get(dn));
    }

    /** The user whose {@code sAMAccountName} this is. */
    Optional<Entry> account(String samAccountName) {
        return entries.values().stream().filter(e -> e.hasObjectClass("user")
                && samAccountName.equalsIgnoreCase(e.getAttributeValue("sAMAccountName"))).findFirst();
    }

    /** The mailbox whose primary SMTP address (the {@code SMTP:} entry of {@code proxyAddresses}) this is. */
    Optional<Entry> mailbox(String smtp) {
        return entries.values().stream().filter(e -> e.hasAttribute("msExchRecipientTypeDetails")
                && e.hasAttribute("proxyAddresses") && List.of(e.getAttributeValues("proxyAddresses")).stream()
                .anyMatch(p -> p.startsWith("SMTP:") && p.substring(5).equalsIgnoreCase(smtp))).findFirst();
    }

    /**
     * Every group the entry is in, directly or through other groups, nearest first; only security groups of
     * global or universal scope when {@code globalAndUniversal}, as in {@code tokenGroupsGlobalAndUniversal}.
     */
    List<Entry> groups(Entry member, boolean globalAndUniversal) {
        Set<DN> seen = new LinkedHashSet<>();
        Deque<DN> queue = new ArrayDeque<>(groupsOf.getOrDefault(dn(member.getDN()), List.of()));
        List<Entry> found = new ArrayList<>();
        while (!queue.isEmpty()) {
            DN group = queue.removeFirst();
            Entry entry = entries.get(group);
            if (entry == null || !seen.add(group)) {
                continue;
            }
            int type = entry.getAttributeValueAsInteger("groupType") == null ? 0
                    : entry.getAttributeValueAsInteger("groupType");
            boolean security = (type & 0x80000000) != 0;
            if (!globalAndUniversal || security && (type & (0x2 | 0x8)) != 0) {
                found.add(entry);
            }
            queue.addAll(groupsOf.getOrDefault(group, List.of()));
        }
        return found;
    }

    /** The decision for an account impersonating the mailbox with this primary SMTP address. */
    Decision decide(String samAccountName, Entry mailbox) {
        Optional<Entry> account = account(samAccountName);
        if (account.isEmpty()) {
            return new Decision(false, "no account " + samAccountName);
        }
        Map<DN, String> principals = new LinkedHashMap<>();
        principals.put(dn(account.get().getDN()), "the account itself");
        for (Entry group : groups(account.get(), true)) {
            principals.put(dn(group.getDN()), "group '" + group.getAttributeValue("cn") + "'");
        }
        List<Entry> grants = new ArrayList<>();
        for (Entry assignment : children(dn(OnPremisesDemo.ASSIGNMENTS_DN))) {
            long flags = flags(assignment);
            if (principals.containsKey(link(assignment, "msExchUserLink")) && grantsImpersonation(assignment)
                    && RbacFlags.enabled(flags) && RbacFlags.delegation(flags) == RbacFlags.REGULAR) {
                grants.add(assignment);
            }
        }
        List<String> exclusive = children(dn(OnPremisesDemo.SCOPES_DN)).stream()
                .filter(scope -> RbacFlags.exclusive(scopeFlags(scope)) && RbacFlags.recipientScope(scopeFlags(scope))
                        && inScope(scope, mailbox)).map(scope -> scope.getAttributeValue("cn")).toList();
        for (Entry assignment : grants) {
            int writeScope = RbacFlags.writeScope(flags(assignment));
            if (!exclusive.isEmpty() && writeScope != RbacFlags.EXCLUSIVE_RECIPIENT_SCOPE) {
                continue;
            }
            if (covers(assignment, writeScope, mailbox)) {
                return new Decision(true, "assignment '" + assignment.getAttributeValue("cn") + "' to "
                        + principals.get(link(assignment, "msExchUserLink")) + ", write scope "
                        + RbacFlags.writeScopeName(writeScope));
            }
        }
        if (!exclusive.isEmpty()) {
            return new Decision(false, "in the exclusive scope(s) " + exclusive
                    + ", and no exclusive assignment of the account's covers it");
        }
        return new Decision(false, grants.isEmpty() ? "no enabled, regular impersonation assignment to the account "
                + "or its groups" : "no scope of the account's impersonation assignments covers it");
    }

    private boolean covers(Entry assignment, int writeScope, Entry mailbox) {
        DN restriction = link(assignment, "msExchDomainRestrictionLink");
        return switch (writeScope) {
            case RbacFlags.ORGANIZATION -> true;
            case RbacFlags.ORGANIZATIONAL_UNIT -> restriction != null && dn(mailbox.getDN()).isDescendantOf(restriction, true);
            case RbacFlags.CUSTOM_RECIPIENT_SCOPE, RbacFlags.EXCLUSIVE_RECIPIENT_SCOPE -> restriction != null
                    && entry(restriction).map(scope -> inScope(scope, mailbox)).orElse(false);
            default -> false;
        };
    }

    /** Under the scope's root (when it has one) and matching its filter; a filter Exchange could not read matches nothing. */
    boolean inScope(Entry scope, Entry mailbox) {
        String root = scope.getAttributeValue("msExchScopeRoot");
        if (root != null && !dn(mailbox.getDN()).isDescendantOf(dn(root), true)) {
            return false;
        }
        String text = scope.getAttributeValue("msExchQueryFilter");
        if (text == null) {
            return true;
        }
        return filters.computeIfAbsent(text, OnPremisesRbac::parseQuietly).map(f -> f.matches(withMemberOf(mailbox)))
                .orElse(false);
    }

    /** The mailbox with {@code memberOf} as Active Directory derives it from the groups' {@code member}. */
    private Entry withMemberOf(Entry mailbox) {
        Entry copy = mailbox.duplicate();
        copy.removeAttribute("memberOf");
        List<DN> direct = groupsOf.getOrDefault(dn(mailbox.getDN()), List.of());
        if (!direct.isEmpty()) {
            copy.addAttribute("memberOf", direct.stream().map(d -> entries.get(d) == null ? d.toString()
                    : entries.get(d).getDN()).toArray(String[]::new));
        }
        return copy;
    }

    private static Optional<OnPremisesScopeFilter> parseQuietly(String text) {
        try {
            return Optional.of(OnPremisesScopeFilter.parse(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Whether the assignment's role holds the impersonation entry (by entry, not by name: derived roles count). */
    private boolean grantsImpersonation(Entry assignment) {
        DN role = link(assignment, "msExchRoleLink");
        return role != null && entry(role).filter(r -> r.hasAttribute("msExchRoleEntries"))
                .map(r -> List.of(r.getAttributeValues("msExchRoleEntries")).stream().anyMatch(OnPremisesRbac::isRight))
                .orElse(false);
    }

    private static boolean isRight(String roleEntry) {
        String[] fields = roleEntry.split(",");
        return fields.length >= 2 && fields[1].strip().equalsIgnoreCase(RIGHT);
    }

    List<Entry> children(DN parent) {
        return entries.values().stream().filter(e -> parent.equals(parentOf(e))).toList();
    }

    private static DN parentOf(Entry entry) {
        return dn(entry.getDN()).getParent();
    }

    static long flags(Entry assignment) {
        Long flags = assignment.getAttributeValueAsLong("msExchRoleAssignmentFlags");
        return flags == null ? 0 : flags;
    }

    static int scopeFlags(Entry scope) {
        Integer flags = scope.getAttributeValueAsInteger("msExchScopeFlags");
        return flags == null ? 0 : flags;
    }

    private static DN link(Entry entry, String attribute) {
        String value = entry.getAttributeValue(attribute);
        return value == null ? null : dn(value);
    }

    static DN dn(String text) {
        try {
            return new DN(text);
        } catch (LDAPException e) {
            throw new IllegalArgumentException("'" + text + "' is not a DN", e);
        }
    }
}
