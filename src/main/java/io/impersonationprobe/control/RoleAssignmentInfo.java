package io.impersonationprobe.control;

import java.time.Instant;

/**
 * One role assignment as Get-ManagementRoleAssignment reports it; {@code scope} null means the whole organisation.
 *
 * @param assignee      RoleAssignee: for a service principal its ObjectId
 * @param assigneeName  RoleAssigneeName, whose content differs between sources (display name, AppId or ObjectId);
 *                      null where the source has none
 * @param delegation    Regular, Delegating or DelegatingOrgWide where the source says (on-premises); null otherwise
 * @param scopeType     the recipient write scope's type (Organization, OU, CustomRecipientScope,
 *                      ExclusiveRecipientScope) where the source says; null otherwise
 */
public record RoleAssignmentInfo(String name, String role, String assignee, String assigneeType, String scope,
                                 boolean enabled, Instant whenCreated, Instant whenChanged, String assigneeName,
                                 String delegation, String scopeType) {

    /** An assignment whose source names the assignee once and says nothing of delegation (tests). */
    public RoleAssignmentInfo(String name, String role, String assignee, String assigneeType, String scope,
                              boolean enabled, Instant whenCreated, Instant whenChanged) {
        this(name, role, assignee, assigneeType, scope, enabled, whenCreated, whenChanged, null, null, null);
    }

    /** An assignment as Exchange Online's admin API reports it: with RoleAssigneeName, without delegation. */
    public RoleAssignmentInfo(String name, String role, String assignee, String assigneeType, String scope,
                              boolean enabled, Instant whenCreated, Instant whenChanged, String assigneeName) {
        this(name, role, assignee, assigneeType, scope, enabled, whenCreated, whenChanged, assigneeName, null, null);
    }

    /** An assignment as on-premises Active Directory holds it: the assignee named once, with delegation and scope type. */
    public RoleAssignmentInfo(String name, String role, String assignee, String assigneeType, String scope,
                              boolean enabled, Instant whenCreated, Instant whenChanged, String delegation,
                              String scopeType) {
        this(name, role, assignee, assigneeType, scope, enabled, whenCreated, whenChanged, null, delegation, scopeType);
    }

    /** Lets its assignee use the role: enabled, and not only for delegating it. */
    public boolean grants() {
        return enabled && (delegation == null || delegation.equals("Regular"));
    }
}
