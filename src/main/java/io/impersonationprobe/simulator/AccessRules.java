package io.impersonationprobe.simulator;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the simulated Exchange allows, decided from the tenant's state alone, as Exchange decides it:
 * <ul>
 *   <li>an Entra-consented {@code full_access_as_app} (or a Graph mail permission, for Graph) opens every mailbox,
 *   whatever Exchange's scopes say (grants add up);</li>
 *   <li>otherwise a role assignment of the right role to the caller opens the mailboxes its scope covers (no scope:
 *   the whole organisation), once the propagation delay after its creation has passed;</li>
 *   <li>a removed assignment keeps granting until the same delay has passed again, as Exchange's cache still holds it;</li>
 *   <li>for EWS in Exchange Online, the organisation's gates come first, with the rules enforced since 2026-10-10:
 *   {@code EwsEnabled} null lets every app through (until Microsoft switches the tenant off), true only the apps on
 *   {@code EwsAllowedAppIDs} (none when the list is empty), false none; the user-agent policy is a second gate
 *   that must pass as well, for Graph too. Then the mailbox's own: its {@code EwsEnabled} false, or a licence
 *   without EWS (Kiosk, F1, F3), refuses it. The organisation's gates are read as Exchange's cache enforces them,
 *   after their propagation delays.</li>
 * </ul>
 */
public final class AccessRules {
    /** Whether a request gets through to EWS, and if not, which gate refused it. */
    public enum EwsGate {
        OPEN,
        /** {@code EwsEnabled} is false for the organisation or for the mailbox. */
        DISABLED,
        /** {@code EwsEnabled} true and the app not on {@code EwsAllowedAppIDs}, or the user-agent policy refuses the client. */
        BLOCKED_BY_POLICY,
        /** The mailbox's licence does not include EWS (Kiosk, F1, F3). */
        LICENCE_WITHOUT_EWS
    }

    private final TenantState state;
    private final Clock clock;

    AccessRules(TenantState state, Clock clock) {
        this.state = state;
        this.clock = clock;
    }

    /** The organisation's EWS gates for an app's request (null app ID: a user's, which the app list does not gate). */
    public EwsGate ewsGate(String appId, String userAgent) {
        Org org = state.enforcedOrg(clock.instant());
        if (Boolean.FALSE.equals(org.ewsEnabled())) {
            return EwsGate.DISABLED;
        }
        boolean appListed = appId == null || !Boolean.TRUE.equals(org.ewsEnabled())
                || (org.ewsAllowedAppIds() != null && org.ewsAllowedAppIds().stream().anyMatch(appId::equalsIgnoreCase));
        return appListed && UserAgentPolicy.admits(org, userAgent) ? EwsGate.OPEN : EwsGate.BLOCKED_BY_POLICY;
    }

    /** The mailbox's own gates for EWS: its {@code EwsEnabled} (Set-CASMailbox) and its licence. */
    public EwsGate mailboxEwsGate(Mailbox mailbox) {
        if (Boolean.FALSE.equals(mailbox.ewsEnabled())) {
            return EwsGate.DISABLED;
        }
        return Licences.includesEws(mailbox.licence()) ? EwsGate.OPEN : EwsGate.LICENCE_WITHOUT_EWS;
    }

    /** Whether the organisation's user-agent policy, which applies to REST and Graph as well, admits the client. */
    public boolean graphAdmits(String userAgent) {
        return UserAgentPolicy.admits(state.enforcedOrg(clock.instant()), userAgent);
    }

    /** Whether an app, with its token's roles, may act as this mailbox over EWS now. */
    public boolean canActAs(String appId, List<String> tokenRoles, Mailbox mailbox) {
        return tokenRoles.contains(Roles.FULL_ACCESS_AS_APP) || isGranted(Roles.EWS_ACCESS_AS_APP, appId, mailbox);
    }

    /**
     * Whether an app may read a mail folder of this mailbox over Microsoft Graph now: an Entra-consented Graph mail
     * permission (unscoped), or a Graph mail role whose scope covers it. EWS's organisation gates do not apply.
     */
    public boolean canReadFolderOverGraph(String appId, List<String> tokenRoles, Mailbox mailbox) {
        if (tokenRoles.stream().anyMatch(Roles.GRAPH_UNSCOPED_PERMISSIONS::contains)) {
            return true;
        }
        return Roles.GRAPH_FOLDER_ROLES.stream().anyMatch(role -> isGranted(role, appId, mailbox));
    }

    /** Whether an on-premises service account may impersonate this mailbox now. */
    public boolean canImpersonate(ServiceAccount account, Mailbox mailbox) {
        return isGranted(Roles.APPLICATION_IMPERSONATION, account.name().toLowerCase(Locale.ROOT), mailbox);
    }

    /**
     * What Test-ServicePrincipalAuthorization reports: for each configured assignment of an RBAC for Applications
     * role to the app, whether its scope covers the mailbox. It reads the configuration, bypassing the cache, and
     * ignores Entra-consented permissions.
     */
    public List<Map<String, Object>> testAuthorization(String identity, Mailbox mailbox) {
        List<Map<String, Object>> results = new ArrayList<>();
        String appId = state.servicePrincipal(identity).map(App::appId).orElse(identity);
        for (RoleAssignment assignment : state.configuredAssignments()) {
            if (Roles.isApplicationRole(assignment.role()) && assignment.assignee().equalsIgnoreCase(appId)) {
                boolean organisation = assignment.scope() == null;
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("RoleName", assignment.role());
                result.put("GrantedPermissions", assignment.role().substring("Application ".length()));
                result.put("AllowedResourceScope", organisation ? "Organization" : assignment.scope());
                result.put("ScopeType", organisation ? "Organization" : "CustomRecipientScope");
                result.put("InScope", organisation || covers(assignment.scope(), mailbox));
                results.add(result);
            }
        }
        return results;
    }

    private boolean isGranted(String role, String assignee, Mailbox mailbox) {
        Instant now = clock.instant();
        for (RoleAssignment assignment : state.assignmentsInCache(now)) {
            if (assignment.role().equals(role) && assignment.assignee().equalsIgnoreCase(assignee)
                    && assignment.grantsAt(now) && (assignment.scope() == null || covers(assignment.scope(), mailbox))) {
                return true;
            }
        }
        return false;
    }

    private boolean covers(String scope, Mailbox mailbox) {
        return state.scope(scope).map(filter -> filter.matches(mailbox)).orElse(false);
    }
}
