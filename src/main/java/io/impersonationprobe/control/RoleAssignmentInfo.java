package io.impersonationprobe.control;

import java.time.Instant;

/**
 * One role assignment as Get-ManagementRoleAssignment reports it; {@code scope} null means the whole organisation.
 *
 * @param assignee      RoleAssignee: for a service principal its ObjectId
 * @param assigneeName  RoleAssigneeName, whose content differs between sources (display name, AppId or ObjectId);
 *                      null where the source has none
 */
public record RoleAssignmentInfo(String name, String role, String assignee, String assigneeType, String scope,
                                 boolean enabled, Instant whenCreated, Instant whenChanged, String assigneeName) {

    /** An assignment whose source names the assignee once (on-premises Active Directory, tests). */
    public RoleAssignmentInfo(String name, String role, String assignee, String assigneeType, String scope,
                              boolean enabled, Instant whenCreated, Instant whenChanged) {
        this(name, role, assignee, assigneeType, scope, enabled, whenCreated, whenChanged, null);
    }
}
