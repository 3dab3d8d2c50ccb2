package io.impersonationprobe.simulator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tenant's objects as the admin API returns them, with the property names and types Microsoft documents for
 * the cmdlets' output: nullable booleans stay null, multi-valued properties are arrays, and {@code EwsAllowedAppIDs}
 * is one comma-joined string that a plain Get-OrganizationConfig leaves empty.
 */
final class ExchangeObjects {
    private ExchangeObjects() {
    }

    /**
     * Get-OrganizationConfig.
     *
     * @param withEwsOperationAccessPolicy whether {@code -RetrieveEwsOperationAccessPolicy} was given: without it
     *                                     Exchange does not read {@code EwsAllowedAppIDs} ("for performance reasons")
     */
    static Map<String, Object> organizationConfig(SimulatedTenant tenant, Org org, boolean withEwsOperationAccessPolicy) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("Identity", tenant.domain());
        config.put("Name", tenant.domain());
        config.put("DisplayName", "Contoso");
        config.put("Guid", tenant.directoryId());
        config.put("IsDehydrated", org.isDehydrated());
        config.put("EwsEnabled", org.ewsEnabled());
        config.put("EwsAllowedAppIDs", withEwsOperationAccessPolicy ? org.ewsAllowedAppIdsText() : null);
        config.put("EwsAllowEntourage", null);
        config.put("EwsAllowMacOutlook", null);
        config.put("EwsAllowOutlook", null);
        config.put("EwsApplicationAccessPolicy", org.ewsApplicationAccessPolicy());
        config.put("EwsAllowList", multiValued(org.ewsAllowList()));
        config.put("EwsBlockList", multiValued(org.ewsBlockList()));
        config.put("OAuth2ClientProfileEnabled", true);
        return config;
    }

    /** Get-CASMailbox: the mailbox's client access settings; the EWS ones are null until Set-CASMailbox sets them. */
    static Map<String, Object> casMailbox(Mailbox mailbox) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("Identity", mailbox.alias());
        row.put("Name", mailbox.alias());
        row.put("PrimarySmtpAddress", mailbox.smtp());
        row.put("EwsEnabled", mailbox.ewsEnabled());
        row.put("EwsAllowEntourage", null);
        row.put("EwsAllowMacOutlook", null);
        row.put("EwsAllowOutlook", null);
        row.put("EwsApplicationAccessPolicy", null);
        row.put("EwsAllowList", List.of());
        row.put("EwsBlockList", List.of());
        row.put("OWAEnabled", true);
        row.put("ActiveSyncEnabled", true);
        row.put("MAPIEnabled", true);
        row.put("PopEnabled", true);
        row.put("ImapEnabled", true);
        return row;
    }

    /** Get-ServicePrincipal: Exchange's reference to the Entra service principal, named by its ObjectId. */
    static Map<String, Object> servicePrincipal(App app) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("DisplayName", app.displayName());
        row.put("AppId", app.appId());
        row.put("ObjectId", app.objectId());
        row.put("Identity", app.objectId());
        row.put("Name", app.objectId());
        return row;
    }

    /**
     * Get-ManagementRoleAssignment. A service principal is named by its ObjectId in {@code RoleAssignee}, as Exchange
     * does, and {@code RoleAssigneeName} holds its Exchange name, which is the ObjectId too.
     */
    static Map<String, Object> roleAssignment(TenantState state, RoleAssignment assignment) {
        boolean app = Roles.isApplicationRole(assignment.role());
        String assignee = app ? state.app(assignment.assignee()).map(App::objectId).orElse(assignment.assignee())
                : assignment.assignee();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("Name", assignment.name());
        row.put("Role", assignment.role());
        row.put("RoleAssignee", assignee);
        row.put("RoleAssigneeName", assignee);
        row.put("RoleAssigneeType", app ? "ServicePrincipal" : "User");
        row.put("CustomResourceScope", app ? assignment.scope() : null);
        row.put("CustomRecipientWriteScope", app ? null : assignment.scope());
        row.put("Enabled", true);
        row.put("WhenCreated", assignment.createdAt().toString());
        row.put("WhenChanged", assignment.createdAt().toString());
        return row;
    }

    private static List<String> multiValued(List<String> values) {
        return values == null ? List.of() : values;
    }
}
