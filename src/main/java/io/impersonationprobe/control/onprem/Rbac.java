package io.impersonationprobe.control.onprem;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPException;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An on-premises organisation's RBAC for impersonation as one read of Active Directory found it: the roles that hold
 * {@code Impersonate-ExchangeUser}, the assignments of them, every recipient scope (the exclusive rule needs all), the
 * probing account with its groups, and who else holds impersonation through a group.
 *
 * @param roles        by normalized DN
 * @param scopes       by normalized DN
 * @param holders      principals (DN) holding an enabled, Regular impersonation assignment, with how
 */
record Rbac(String organization, Map<String, Role> roles, List<Assignment> assignments, Map<String, Scope> scopes,
            Principal account, Map<String, String> holders) {

    record Role(String dn, String name, int type) {
        /** ApplicationImpersonation's msExchRoleType; derived roles copy it. */
        static final int APPLICATION_IMPERSONATION = 14;

        /** The name metrics and events use: the built-in role's, for it and the roles derived from it. */
        String label() {
            return type == APPLICATION_IMPERSONATION ? "ApplicationImpersonation" : name;
        }
    }

    /**
     * @param assigneeSid   the assignee's objectSid (S-1-5-…), or null when it could not be read
     * @param assigneeLocal the assignee is a domain-local group, which never appears in a token
     * @param scopeDn       msExchDomainRestrictionLink: the custom scope's DN, or for an OU scope the OU; null when none
     */
    record Assignment(String dn, String name, Role role, String assigneeDn, String assigneeName, String assigneeSid,
                      boolean assigneeLocal, RoleAssignmentFlags flags, String scopeDn, Instant whenCreated,
                      Instant whenChanged) {
    }

    /**
     * @param filter     null when the filter text could not be parsed ({@code parseError} says why)
     * @param exclusive  bit 31 of msExchScopeFlags
     * @param recipient  a recipient scope (low byte of msExchScopeFlags is 3); config scopes never decide a mailbox
     */
    record Scope(String dn, String name, String root, String filterText, OpathFilter filter, String parseError,
                 boolean exclusive, boolean recipient, Instant whenChanged) {
    }

    /**
     * The probing account and the groups its token holds.
     *
     * @param groups     by SID: the transitive global and universal security groups
     * @param membership where the groups came from: tokenGroupsGlobalAndUniversal, or the memberOf walk
     */
    record Principal(String dn, String name, String sid, Map<String, Group> groups, String membership,
                     Instant whenChanged) {
    }

    /** @param path the group's name and the names of the groups it is reached through, from the account outwards */
    record Group(String dn, String name, String sid, List<String> path, Instant whenChanged) {
    }

    /** A DN in the form two reads of the same entry agree on. */
    static String key(String dn) {
        if (dn == null) {
            return null;
        }
        try {
            return new DN(dn).toNormalizedString();
        } catch (LDAPException e) {
            return dn.toLowerCase(Locale.ROOT).strip();
        }
    }

    /** The first RDN's value: the name Exchange shows for an RBAC object. */
    static String name(String dn) {
        try {
            return new DN(dn).getRDN().getAttributeValues()[0];
        } catch (LDAPException | ArrayIndexOutOfBoundsException e) {
            return dn;
        }
    }
}
