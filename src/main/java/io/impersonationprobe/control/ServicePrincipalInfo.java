package io.impersonationprobe.control;

/**
 * One service principal as Get-ServicePrincipal reports it: the Entra application (client) ID, the enterprise app's
 * object ID (what Get-ManagementRoleAssignment puts in RoleAssignee) and its display name. Any may be null.
 */
public record ServicePrincipalInfo(String appId, String objectId, String displayName) {

    /** "display name (AppId)", or what of it is known. */
    public String display() {
        String id = appId != null ? appId : objectId;
        if (displayName == null || displayName.isBlank()) {
            return id;
        }
        return id == null ? displayName : displayName + " (" + id + ")";
    }
}
