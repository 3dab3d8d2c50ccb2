package io.impersonationprobe.control.onprem;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPException;
import io.impersonationprobe.control.ConfiguredAccess;
import io.impersonationprobe.control.ConfiguredAccess.Decision;
import io.impersonationprobe.control.onprem.OpathFilter.Truth;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides, as EWS does, whether the probing account may impersonate a mailbox: the assignments of a role holding
 * {@code Impersonate-ExchangeUser} whose assignee is the account or one of its token's groups, enabled and Regular,
 * whose recipient scope covers the mailbox; and if the mailbox falls in any exclusive scope of the organisation,
 * only exclusive assignments count. A rule it cannot evaluate gives {@link Decision#UNKNOWN}, never a guess.
 */
final class ImpersonationPredictor {
    private ImpersonationPredictor() {
    }

    /** An assignment that applies to the account, with how it reaches the account. */
    private record Applicable(Rbac.Assignment assignment, String via, Instant groupChanged) {
    }

    /** Whether a scope covers the mailbox, and why, for the chain. */
    private record Coverage(Truth truth, String scope, String why, Instant changed) {
    }

    /**
     * @param target the mailbox's directory entry, or null when the directory has none with its address
     */
    static ConfiguredAccess predict(Rbac rbac, DirectoryRecipient target, Instant at) {
        Rbac.Principal account = rbac.account();
        if (target == null) {
            return new ConfiguredAccess(Decision.UNKNOWN, List.of(), List.of(), at, ConfiguredAccess.PREDICTION,
                    "no mailbox with this address in the directory", List.of(), null);
        }
        List<String> findings = new ArrayList<>();
        List<Applicable> granting = new ArrayList<>();
        Instant changed = latest(account.whenChanged(), instant(target));
        for (Rbac.Assignment assignment : rbac.assignments()) {
            Optional<Applicable> applies = applies(account, assignment);
            if (applies.isEmpty()) {
                continue;
            }
            changed = latest(changed, latest(assignment.whenChanged(), applies.get().groupChanged()));
            if (!assignment.flags().enabled()) {
                findings.add("assignment '" + assignment.name() + "' is disabled");
            } else if (!assignment.flags().grants()) {
                findings.add("assignment '" + assignment.name() + "' is " + assignment.flags().delegationName()
                        + " only: it lets the assignee pass the role on, not impersonate");
            } else {
                granting.add(applies.get());
            }
        }
        // The exclusive rule: inside any exclusive scope, only exclusive assignments count.
        Truth exclusive = Truth.FALSE;
        List<String> shielding = new ArrayList<>();
        for (Rbac.Scope scope : rbac.scopes().values()) {
            if (scope.exclusive() && scope.recipient()) {
                Coverage in = scopeCovers(scope, target);
                exclusive = exclusive.or(in.truth());
                if (in.truth() != Truth.FALSE) {
                    shielding.add("'" + scope.name() + "'");
                    changed = latest(changed, scope.whenChanged());
                }
            }
        }
        List<String> covering = new ArrayList<>();
        List<String> notCovering = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        String allowChain = null;
        Applicable allowing = null;
        boolean unknown = false;
        for (Applicable grant : granting) {
            Rbac.Assignment a = grant.assignment();
            boolean exclusiveAssignment = a.flags().recipientWriteScope() == RoleAssignmentFlags.SCOPE_EXCLUSIVE;
            Coverage coverage = covers(rbac, a, target);
            changed = latest(changed, coverage.changed());
            Truth counts = exclusiveAssignment ? coverage.truth() : coverage.truth().and(exclusive.not());
            String step = "assignment '" + a.name() + "'" + (a.role().name().equalsIgnoreCase("ApplicationImpersonation")
                    ? "" : " (role '" + a.role().name() + "')") + " → " + grant.via() + " → " + coverage.why();
            if (counts == Truth.TRUE) {
                covering.add(coverage.scope());
                if (allowChain == null) {
                    allowChain = step;
                    allowing = grant;
                }
            } else if (counts == Truth.FALSE) {
                notCovering.add(coverage.scope());
                reasons.add(coverage.truth() == Truth.TRUE ? step + ", but the mailbox is in exclusive scope "
                        + String.join(", ", shielding) + ", where only exclusive assignments count" : step);
            } else {
                unknown = true;
                reasons.add(step + (coverage.truth() == Truth.TRUE ? ", but whether the mailbox is in exclusive scope "
                        + String.join(", ", shielding) + " cannot be evaluated" : ""));
            }
        }
        String findingText = findings.isEmpty() ? "" : "; findings: " + String.join("; ", findings);
        if (allowChain != null) {
            return new ConfiguredAccess(Decision.ALLOW, covering, notCovering, at, ConfiguredAccess.PREDICTION,
                    allowChain + findingText, leakFixes(account, allowing), changed);
        }
        if (unknown) {
            return new ConfiguredAccess(Decision.UNKNOWN, covering, notCovering, at, ConfiguredAccess.PREDICTION,
                    "cannot be decided: " + String.join("; ", reasons) + findingText, List.of(), changed);
        }
        String why = granting.isEmpty()
                ? account.name() + " holds no enabled, Regular assignment of a role with Impersonate-ExchangeUser "
                + "(through " + account.membership() + ")"
                : "no assignment covers the mailbox: " + String.join("; ", reasons) + " (the account's groups from "
                + account.membership() + ")";
        return new ConfiguredAccess(Decision.DENY, covering, notCovering, at, ConfiguredAccess.PREDICTION,
                why + findingText, grantFixes(account, shielding), changed);
    }

    /** Whether the assignment's assignee is the account or a group in its token, and through which groups. */
    private static Optional<Applicable> applies(Rbac.Principal account, Rbac.Assignment assignment) {
        if (assignment.assigneeLocal()) {
            return Optional.empty(); // a domain-local group is never in the token EWS checks
        }
        String sid = assignment.assigneeSid();
        if (sid != null ? sid.equals(account.sid()) : Rbac.key(assignment.assigneeDn()).equals(Rbac.key(account.dn()))) {
            return Optional.of(new Applicable(assignment, "directly to " + account.name(), null));
        }
        for (Rbac.Group group : account.groups().values()) {
            boolean same = sid != null ? sid.equals(group.sid())
                    : group.dn() != null && Rbac.key(group.dn()).equals(Rbac.key(assignment.assigneeDn()));
            if (same) {
                List<String> path = group.path();
                String via = "via group '" + path.get(0) + "'" + (path.size() > 1 ? " (nested in '"
                        + String.join("' → '", path.subList(1, path.size())) + "')" : "");
                return Optional.of(new Applicable(assignment, via, group.whenChanged()));
            }
        }
        return Optional.empty();
    }

    /** The assignment's recipient read and write scopes, both of which must cover the mailbox. */
    private static Coverage covers(Rbac rbac, Rbac.Assignment a, DirectoryRecipient target) {
        Coverage write = scopeOfType(rbac, a, a.flags().recipientWriteScope(), target);
        int read = a.flags().recipientReadScope();
        if (read == RoleAssignmentFlags.SCOPE_ORGANIZATION || read == a.flags().recipientWriteScope()
                || write.truth() == Truth.FALSE) {
            return write;
        }
        Coverage readScope = scopeOfType(rbac, a, read, target);
        return new Coverage(write.truth().and(readScope.truth()), write.scope(), write.why() + "; read scope "
                + readScope.why(), latest(write.changed(), readScope.changed()));
    }

    private static Coverage scopeOfType(Rbac rbac, Rbac.Assignment a, int type, DirectoryRecipient target) {
        switch (type) {
            case RoleAssignmentFlags.SCOPE_ORGANIZATION:
                return new Coverage(Truth.TRUE, "Organization", "the whole organisation", null);
            case RoleAssignmentFlags.SCOPE_OU:
                return new Coverage(under(target.dn(), a.scopeDn()), a.scopeDn(), "OU " + a.scopeDn()
                        + (under(target.dn(), a.scopeDn()) == Truth.TRUE ? " holds it" : " does not hold it"), null);
            case RoleAssignmentFlags.SCOPE_CUSTOM:
            case RoleAssignmentFlags.SCOPE_EXCLUSIVE:
                Rbac.Scope scope = a.scopeDn() == null ? null : rbac.scopes().get(Rbac.key(a.scopeDn()));
                if (scope == null) {
                    return new Coverage(Truth.UNKNOWN, a.scopeDn() == null ? "?" : Rbac.name(a.scopeDn()),
                            "scope " + a.scopeDn() + " cannot be read", null);
                }
                return scopeCovers(scope, target);
            default:
                return new Coverage(Truth.UNKNOWN, RoleAssignmentFlags.scopeTypeName(type), "recipient scope type "
                        + RoleAssignmentFlags.scopeTypeName(type) + " is not evaluated by the daemon", null);
        }
    }

    /** Whether a management scope holds the mailbox: under its root, and matching its filter. */
    private static Coverage scopeCovers(Rbac.Scope scope, DirectoryRecipient target) {
        String filter = scope.filterText() == null ? "no filter" : "filter `" + scope.filterText() + "`";
        String named = "scope '" + scope.name() + "' (" + filter + (scope.root() == null ? "" : ", root " + scope.root())
                + ")";
        if (scope.root() != null && under(target.dn(), scope.root()) == Truth.FALSE) {
            return new Coverage(Truth.FALSE, scope.name(), named + " does not match: the mailbox is not under its root",
                    scope.whenChanged());
        }
        if (scope.filter() == null) {
            return scope.parseError() == null
                    ? new Coverage(Truth.TRUE, scope.name(), named + " matches", scope.whenChanged())
                    : new Coverage(Truth.UNKNOWN, scope.name(), named + " cannot be evaluated: " + scope.parseError(),
                    scope.whenChanged());
        }
        Truth truth = scope.filter().evaluate(target);
        String verb = truth == Truth.TRUE ? " matches: " : truth == Truth.FALSE ? " does not match: "
                : " cannot be evaluated: ";
        return new Coverage(truth, scope.name(), named + verb + target.describe(scope.filter()), scope.whenChanged());
    }

    private static Truth under(String dn, String base) {
        try {
            return Truth.of(new DN(dn).isDescendantOf(new DN(base), true));
        } catch (LDAPException e) {
            return Truth.UNKNOWN;
        }
    }

    /** What closes a scope leak: narrow the assignment, narrow its scope, or take the account out of the group. */
    private static List<String> leakFixes(Rbac.Principal account, Applicable allowing) {
        Rbac.Assignment a = allowing.assignment();
        Set<String> fixes = new LinkedHashSet<>();
        int type = a.flags().recipientWriteScope();
        if (type == RoleAssignmentFlags.SCOPE_CUSTOM || type == RoleAssignmentFlags.SCOPE_EXCLUSIVE) {
            fixes.add("Set-ManagementScope '" + Rbac.name(a.scopeDn()) + "' -RecipientRestrictionFilter {<a filter "
                    + "that leaves this mailbox out>}");
        }
        fixes.add("Set-ManagementRoleAssignment '" + a.name() + "' -CustomRecipientWriteScope '<a scope that leaves "
                + "this mailbox out>'");
        if (allowing.via().startsWith("via group")) {
            fixes.add("Remove-ADGroupMember -Identity '" + a.assigneeName() + "' -Members '" + account.name()
                    + "' (or take the account out of the group it is reached through)");
        }
        fixes.add("New-ManagementScope '<name>' -RecipientRestrictionFilter {<this mailbox>} -Exclusive, to shield it "
                + "from every non-exclusive assignment");
        return List.copyOf(fixes);
    }

    /** What opens a mailbox that should be reachable. */
    private static List<String> grantFixes(Rbac.Principal account, List<String> shielding) {
        if (!shielding.isEmpty()) {
            return List.of("New-ManagementRoleAssignment -Role ApplicationImpersonation -User '" + account.name()
                    + "' -ExclusiveRecipientWriteScope " + shielding.get(0) + " (the mailbox is in an exclusive scope)");
        }
        return List.of("New-ManagementRoleAssignment -Role ApplicationImpersonation -User '" + account.name()
                + "' -CustomRecipientWriteScope '<a scope that holds this mailbox>'", "Set-ManagementScope '<scope>' "
                + "-RecipientRestrictionFilter {<a filter that holds this mailbox>}");
    }

    private static Instant instant(DirectoryRecipient target) {
        var date = target.entry().getAttributeValueAsDate("whenChanged");
        return date == null ? null : date.toInstant();
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }
}
