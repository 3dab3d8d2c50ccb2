package io.impersonationprobe.control;

import java.time.Instant;

/** One role assignment as Get-ManagementRoleAssignment reports it; {@code scope} null means the whole organisation. */
public record RoleAssignmentInfo(String name, String role, String assignee, String assigneeType, String scope,
                                 boolean enabled, Instant whenCreated, Instant whenChanged) {
}
