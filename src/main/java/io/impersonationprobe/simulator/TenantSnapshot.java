package io.impersonationprobe.simulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The simulated tenant as plain data for the control API ({@code GET /control/state}); secrets are left out. */
final class TenantSnapshot {
    private TenantSnapshot() {
    }

    static Map<String, Object> of(SimulatedTenant tenant) {
        TenantState state = tenant.state();
        Instant now = tenant.now();
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("tenant", Map.of("directoryId", tenant.directoryId(), "domain", tenant.domain()));
        snapshot.put("clock", Map.of("now", now.toString(), "offsetSeconds", tenant.clock().offset().toSeconds()));
        snapshot.putAll(delays(state));
        snapshot.put("mailboxes", state.mailboxes());
        snapshot.putAll(org(tenant));
        snapshot.put("apps", state.apps().stream().map(TenantSnapshot::app).toList());
        snapshot.put("serviceAccounts", state.serviceAccounts().stream()
                .map(a -> Map.of("domain", a.domain(), "name", a.name())).toList());
        List<Map<String, Object>> scopes = new ArrayList<>();
        state.scopeFilters().forEach((name, filter) -> scopes.add(Map.of("name", name, "recipientFilter", filter)));
        snapshot.put("managementScopes", scopes);
        snapshot.put("roleAssignments", state.assignmentsWithRemoved().stream().map(a -> assignment(a, now)).toList());
        snapshot.put("faults", faults(tenant.faults()));
        snapshot.put("stats", tenant.stats().counters());
        return snapshot;
    }

    /** The delays of each kind of change, as {@code PUT /control/propagation} takes them. */
    static Map<String, Object> delays(TenantState state) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("propagationDelaySeconds", state.propagationDelay().toSeconds());
        view.put("ewsEnabledDelaySeconds", state.ewsEnabledDelay().toSeconds());
        view.put("allowListDelaySeconds", state.allowListDelay().toSeconds());
        return view;
    }

    /**
     * The organisation's settings as configured ({@code org}, what Get-OrganizationConfig reads back), as EWS enforces
     * them now ({@code orgEnforced}), and the changes still to be enforced, with when ({@code orgPending}).
     */
    static Map<String, Object> org(SimulatedTenant tenant) {
        Instant now = tenant.now();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("org", tenant.state().org());
        view.put("orgEnforced", tenant.state().enforcedOrg(now));
        view.put("orgPending", tenant.state().pendingOrgChanges(now));
        return view;
    }

    /** An app without its secret. */
    private static Map<String, Object> app(App app) {
        return Map.of("appId", app.appId(), "objectId", app.objectId(), "displayName", app.displayName(),
                "entraRoles", app.entraRoles(), "certificateThumbprints", List.copyOf(app.certificates().keySet()));
    }

    private static Map<String, Object> assignment(RoleAssignment a, Instant now) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", a.name());
        view.put("role", a.role());
        view.put("assignee", a.assignee());
        view.put("scope", a.scope());
        view.put("createdAt", a.createdAt().toString());
        view.put("removedAt", a.removedAt() == null ? null : a.removedAt().toString());
        view.put("effective", a.grantsAt(now));
        return view;
    }

    /** Every fault by its control API name, in the order {@code PUT /control/faults} takes them. */
    static Map<String, Object> faults(Faults f) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("ewsLatencyMs", f.ewsLatencyMs());
        view.put("serviceUnavailableRetryAfterSeconds", f.serviceUnavailableRetryAfterSeconds());
        view.put("responseCodes", f.responseCodes());
        view.put("rawAnswer", f.rawAnswer());
        view.put("concurrencyBudget", f.concurrencyBudget());
        view.put("serverBusyBackOffMs", f.serverBusyBackOffMs());
        view.put("missingAnchorLatencyMs", f.missingAnchorLatencyMs());
        view.put("adminRawAnswer", f.adminRawAnswer());
        view.put("adminLatencyMs", f.adminLatencyMs());
        view.put("graphLatencyMs", f.graphLatencyMs());
        view.put("graphThrottledRetryAfterSeconds", f.graphThrottledRetryAfterSeconds());
        view.put("graphUnavailableRetryAfterSeconds", f.graphUnavailableRetryAfterSeconds());
        view.put("graphErrors", f.graphErrors());
        return view;
    }
}
