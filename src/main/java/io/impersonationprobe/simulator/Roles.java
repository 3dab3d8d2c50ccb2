package io.impersonationprobe.simulator;

import java.util.Set;

/** The names of the roles and permissions the simulated tenant knows, as Exchange and Entra ID spell them. */
public final class Roles {
    /** The RBAC for Applications role that grants app-only EWS access. */
    public static final String EWS_ACCESS_AS_APP = "Application EWS.AccessAsApp";
    /** The on-premises role that lets a service account act as mailboxes. */
    public static final String APPLICATION_IMPERSONATION = "ApplicationImpersonation";
    /**
     * RBAC for Applications roles that open Microsoft Graph's mail API. Each allows reading a mail folder's ID (the
     * probe's request); Mail.Send alone does not.
     */
    public static final Set<String> GRAPH_FOLDER_ROLES = Set.of("Application Mail.ReadBasic", "Application Mail.Read",
            "Application Mail.ReadWrite");
    /** Every management role an assignment may name. */
    static final Set<String> ALL = Set.of(EWS_ACCESS_AS_APP, APPLICATION_IMPERSONATION, "Application Mail.ReadBasic",
            "Application Mail.Read", "Application Mail.ReadWrite", "Application Mail.Send");

    /** The Entra-consented EWS permission: every mailbox, whatever Exchange's scopes say. */
    static final String FULL_ACCESS_AS_APP = "full_access_as_app";
    /** Entra-consented Graph application permissions that open every mailbox's folders, whatever Exchange's scopes. */
    static final Set<String> GRAPH_UNSCOPED_PERMISSIONS = Set.of("Mail.ReadBasic.All", "Mail.ReadBasic", "Mail.Read",
            "Mail.ReadWrite");
    /** The Entra permission the admin API requires; it grants no mailbox access. */
    static final String MANAGE_AS_APP = "Exchange.ManageAsApp";

    private Roles() {
    }

    /** RBAC for Applications roles are assigned to service principals (apps), the others to users. */
    static boolean isApplicationRole(String role) {
        return role.startsWith("Application ");
    }
}
