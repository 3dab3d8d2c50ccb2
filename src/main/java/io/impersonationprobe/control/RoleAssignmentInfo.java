package io.impersonationprobe.control;

import java.time.Instant;

/**
 * One role assignment as Get-ManagementRoleAssignment reports it; {@code scope} null means the whole organisation.
 *
 * @param delegation  Regular, Delegating or DelegatingOrgWide where the source says (on-premises); null otherwise
 * @param scopeType   the recipient write scope's type (Organization, OU, CustomRecipientScope,
 *                    ExclusiveRecipientScope) where the source says; null otherwise
 */
public record RoleAssignmentInfo(String name, String role, String assignee, String assigneeType, String scope,
                                 boolean enabled, Instant whenCreated, Instant whenChanged, String delegation,
                                 String scopeType) {

    public RoleAssignmentInfo(String name, String role, String assignee, String assigneeType, String scope,
                              boolean enabled, Instant whenCreated, Instant whenChanged) {
        this(name, role, assignee, assigneeType, scope, enabled, whenCreated, whenChanged, null, null);
    }

    /** Lets its assignee use the role: enabled, and not only for delegating it. */
    public boolean grants() {
        return enabled && (delegation == null || delegation.equals("Regular"));
    }
}
