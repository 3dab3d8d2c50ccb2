package io.impersonationprobe.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The tenant the demo and the tests start with: an app scoped by RBAC for Applications to Sales and Support, and
 * executives it must not reach. One executive, the VP of Sales, sits in the Sales department, so the scope's filter
 * covers him: a scope leak the daemon is there to catch. For the move to Microsoft Graph the app also holds a Graph
 * mail role, whose scope leaves out shared mailboxes: the shared support mailbox works over EWS but not over Graph,
 * a migration blocker. Another app, a CRM connector, holds a Graph role of its own. The tenant is as most are in
 * December 2026: {@code EwsEnabled} never set (EWS allowed until Microsoft switches it off), no {@code EwsAllowedAppIDs};
 * and a frontline worker's mailbox is licensed Kiosk, which Exchange Online no longer serves over EWS.
 */
public final class DemoTenant {
    public static final String DIRECTORY_ID = "9c1a6f3e-2b7d-4e58-a0c4-5d8e7f6a1b2c";
    public static final String DOMAIN = "contoso.onmicrosoft.com";
    public static final String APP_ID = "6731de76-14a6-49ae-97bc-6eba6914391e";
    /** The demo app's service principal in Entra ID, which Exchange names it by in role assignments. */
    public static final String APP_OBJECT_ID = "a3f2c9d1-7b4e-4c2a-9e61-0d5b8f7c3e24";
    public static final String APP_DISPLAY_NAME = "Contoso mail archiver";
    /** The demo app's secret; it only opens the simulator. */
    public static final String APP_SECRET = "simulator-demo-secret";
    public static final String SCOPE = "Sales and Support";
    public static final String ASSIGNMENT = "EWS access for the mail archiver";
    /** The daemon's own API as registered in the tenant; OIDC access tokens for it carry this audience. */
    public static final String DAEMON_API = "api://impersonation-probe";
    public static final String READ_ROLE = "ImpersonationProbe.Read";
    public static final String CHECK_ROLE = "ImpersonationProbe.Check";
    /** On-call tooling that may read results and run live checks through OIDC tokens. */
    public static final String ONCALL_APP_ID = "0b6c3c83-5f0e-4e4c-9d2a-7c1f2b8e4a51";
    public static final String ONCALL_APP_SECRET = "simulator-oncall-secret";
    /** A dashboard that may only read results. */
    public static final String DASHBOARD_APP_ID = "d2f1e8a4-9b3c-4f6d-8e7a-1c5b9d3f2e60";
    public static final String DASHBOARD_APP_SECRET = "simulator-dashboard-secret";
    public static final String GRAPH_SCOPE = "Sales and Support users";
    public static final String GRAPH_ASSIGNMENT = "Graph access for the mail archiver";
    public static final String GRAPH_ROLE = "Application Mail.ReadBasic";
    /** Another app with a mailbox role of its own: its grant is another principal's, not the daemon's. */
    public static final String CRM_APP_ID = "4e8b1d27-3c6a-4f95-b0d2-8a7e6c5f4b13";
    public static final String CRM_OBJECT_ID = "c71e0a5b-2d94-4b38-a6f1-9e3d7b2c8a05";
    public static final String CRM_ASSIGNMENT = "Graph access for the CRM connector";
    /** A frontline worker licensed Exchange Online Kiosk: EWS answers 403 for her mailbox. In no demo group. */
    public static final String KIOSK_MAILBOX = "adele.vance@contoso.com";

    private DemoTenant() {
    }

    /**
     * Fills an empty tenant with the demo's content. The assignments were made a day before {@code seededAt}: long
     * propagated when the demo starts.
     */
    static void seed(TenantState tenant, Instant seededAt) {
        // Exchange.ManageAsApp lets the daemon read the organisation's configuration; it grants no mailbox access.
        tenant.addApp(new App(APP_ID, APP_OBJECT_ID, APP_DISPLAY_NAME, APP_SECRET, List.of(Roles.MANAGE_AS_APP)));
        tenant.addApp(new App(ONCALL_APP_ID, null, "Contoso on-call tooling", ONCALL_APP_SECRET, List.of()));
        tenant.grantDaemonApiRoles(ONCALL_APP_ID, List.of(READ_ROLE, CHECK_ROLE));
        tenant.addApp(new App(DASHBOARD_APP_ID, null, "Contoso dashboards", DASHBOARD_APP_SECRET, List.of()));
        tenant.addApp(new App(CRM_APP_ID, CRM_OBJECT_ID, "Contoso CRM connector", null, List.of()));
        tenant.grantDaemonApiRoles(DASHBOARD_APP_ID, List.of(READ_ROLE));
        for (Mailbox mailbox : List.of(
                new Mailbox("alex.wilber@contoso.com", "UserMailbox", "Sales", List.of("Sales Team")),
                new Mailbox("megan.bowen@contoso.com", "UserMailbox", "Sales", List.of("Sales Team")),
                new Mailbox("lynne.robbins@contoso.com", "UserMailbox", "Support", List.of()),
                new Mailbox("diego.siciliani@contoso.com", "UserMailbox", "Support", List.of()),
                new Mailbox("support@contoso.com", "SharedMailbox", "Support", List.of()),
                new Mailbox("patti.fernandez@contoso.com", "UserMailbox", "Executive", List.of("Leadership")),
                new Mailbox("isaiah.langer@contoso.com", "UserMailbox", "Finance", List.of("Leadership")),
                new Mailbox("nestor.wilke@contoso.com", "UserMailbox", "Sales", List.of("Leadership", "Sales Team")),
                new Mailbox("boardroom@contoso.com", "RoomMailbox", null, List.of()),
                new Mailbox(KIOSK_MAILBOX, "UserMailbox", "Retail", List.of(), null, "Kiosk"))) {
            tenant.addMailbox(mailbox);
        }
        Instant assigned = seededAt.minus(Duration.ofDays(1));
        tenant.addScope(SCOPE, "Department -eq 'Sales' -or Department -eq 'Support'");
        // New-ManagementRoleAssignment -App takes the service principal's ObjectId, as Microsoft's examples do.
        tenant.addAssignment(ASSIGNMENT, Roles.EWS_ACCESS_AS_APP, APP_OBJECT_ID, SCOPE, assigned);
        // Written when only user mailboxes were migrated to the new tool: the shared mailbox was forgotten.
        tenant.addScope(GRAPH_SCOPE, "(Department -eq 'Sales' -or Department -eq 'Support') "
                + "-and RecipientTypeDetails -eq 'UserMailbox'");
        tenant.addAssignment(GRAPH_ASSIGNMENT, GRAPH_ROLE, APP_OBJECT_ID, GRAPH_SCOPE, assigned);
        tenant.addAssignment(CRM_ASSIGNMENT, GRAPH_ROLE, CRM_OBJECT_ID, GRAPH_SCOPE, assigned);
    }
}
