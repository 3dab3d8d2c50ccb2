package io.impersonationprobe.control;

import io.impersonationprobe.control.ControlPlaneEvent.Type;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The role assignments that grant mailbox access, with the scopes they use and the service principals they name, as
 * one poll read them; and the differences between two such reads as events. Exchange Online names a service
 * principal by its ObjectId in RoleAssignee, so an assignment is matched to an app through Get-ServicePrincipal on
 * AppId, ObjectId and display name alike.
 *
 * @param servicePrincipals as Get-ServicePrincipal listed them; empty where the source has none
 * @param holders           principals that hold a mailbox role through a group, with how (on-premises, where group
 *                          membership is readable); empty where the source does not say, null in state saved before
 *                          it was kept
 */
public record AccessConfiguration(Map<String, RoleAssignmentInfo> assignments, Map<String, String> scopes,
                                  List<ServicePrincipalInfo> servicePrincipals, Map<String, String> holders) {

    public AccessConfiguration {
        servicePrincipals = servicePrincipals == null ? List.of() : List.copyOf(servicePrincipals);
    }

    /** A configuration read with group membership (on-premises) and without service principals. */
    public AccessConfiguration(Map<String, RoleAssignmentInfo> assignments, Map<String, String> scopes,
                               Map<String, String> holders) {
        this(assignments, scopes, List.of(), holders);
    }

    /** Roles that let a principal act as mailboxes over EWS or Graph. */
    public static final Set<String> MAILBOX_ROLES = Set.of("ApplicationImpersonation", "Application EWS.AccessAsApp",
            "Application Mail.Read", "Application Mail.ReadBasic", "Application Mail.ReadWrite", "Application Mail.Send");

    public static AccessConfiguration of(List<RoleAssignmentInfo> all, Map<String, String> scopes) {
        return of(all, scopes, List.of());
    }

    public static AccessConfiguration of(List<RoleAssignmentInfo> all, Map<String, String> scopes,
                                         List<ServicePrincipalInfo> servicePrincipals) {
        Map<String, RoleAssignmentInfo> relevant = new TreeMap<>();
        for (RoleAssignmentInfo assignment : all) {
            if (MAILBOX_ROLES.stream().anyMatch(r -> r.equalsIgnoreCase(assignment.role()))) {
                relevant.put(assignment.name(), assignment);
            }
        }
        // Sorted by name, so that the API and the status page list them in a stable order.
        return new AccessConfiguration(Collections.unmodifiableMap(relevant),
                Collections.unmodifiableMap(new TreeMap<>(scopes)), servicePrincipals, Map.of());
    }

    /**
     * The service principal an assignment names, matched on ObjectId, AppId or display name (the last only when no
     * two principals share it) in RoleAssignee or RoleAssigneeName; empty when none matches.
     */
    public Optional<ServicePrincipalInfo> principalOf(RoleAssignmentInfo assignment) {
        for (String name : new String[]{assignment.assignee(), assignment.assigneeName()}) {
            if (name == null || name.isBlank()) {
                continue;
            }
            Optional<ServicePrincipalInfo> byId = servicePrincipals.stream()
                    .filter(sp -> name.equalsIgnoreCase(sp.objectId()) || name.equalsIgnoreCase(sp.appId())).findFirst();
            if (byId.isPresent()) {
                return byId;
            }
            List<ServicePrincipalInfo> byName = servicePrincipals.stream()
                    .filter(sp -> name.equalsIgnoreCase(sp.displayName())).toList();
            if (byName.size() == 1) {
                return Optional.of(byName.get(0));
            }
        }
        return Optional.empty();
    }

    /** Whether the assignment grants to the app with this application (client) ID. */
    public boolean grantsTo(RoleAssignmentInfo assignment, String appId) {
        return appId != null && !appId.isBlank() && (appId.equalsIgnoreCase(assignment.assignee())
                || appId.equalsIgnoreCase(assignment.assigneeName())
                || principalOf(assignment).map(sp -> appId.equalsIgnoreCase(sp.appId())).orElse(false));
    }

    /** The app's enabled or disabled assignments of the roles {@code role} accepts. */
    public List<RoleAssignmentInfo> assignmentsOf(String appId, Predicate<String> role) {
        return assignments.values().stream().filter(a -> role.test(a.role()) && grantsTo(a, appId)).toList();
    }

    /** The assignee as a person reads it: "display name (AppId)" for a known service principal. */
    public String assigneeOf(RoleAssignmentInfo assignment) {
        return principalOf(assignment).map(ServicePrincipalInfo::display).orElse(assignment.assignee());
    }

    /** One key per principal, whichever of its names an assignment uses. */
    private String principalKey(RoleAssignmentInfo assignment) {
        return principalOf(assignment).map(sp -> sp.objectId() != null ? sp.objectId() : sp.appId())
                .orElse(String.valueOf(assignment.assignee())).toLowerCase(Locale.ROOT);
    }

    public Map<String, Long> countByRole() {
        return assignments.values().stream().filter(RoleAssignmentInfo::grants)
                .collect(Collectors.groupingBy(RoleAssignmentInfo::role, TreeMap::new, Collectors.counting()));
    }

    /** What changed from {@code before} to this configuration. */
    public List<ControlPlaneEvent> changesSince(AccessConfiguration before, String tenant, Instant at) {
        List<ControlPlaneEvent> events = new ArrayList<>();
        Set<String> principalsBefore = new HashSet<>();
        before.assignments.values().forEach(a -> principalsBefore.add(before.principalKey(a)));
        for (RoleAssignmentInfo now : assignments.values()) {
            RoleAssignmentInfo then = before.assignments.get(now.name());
            if (then == null) {
                events.add(new ControlPlaneEvent(at, tenant, Type.ASSIGNMENT_ADDED, now.name(), describe(now)));
                if (principalsBefore.add(principalKey(now))) {
                    events.add(new ControlPlaneEvent(at, tenant, Type.PRINCIPAL_GAINED_ACCESS, assigneeOf(now),
                            now.assigneeType() + " " + assigneeOf(now) + " gained " + now.role() + " through "
                                    + describe(now)));
                }
            } else {
                changed(then, now).ifPresent(type -> events.add(new ControlPlaneEvent(at, tenant, type, now.name(),
                        "from " + before.describe(then) + " to " + describe(now))));
            }
        }
        for (RoleAssignmentInfo then : before.assignments.values()) {
            if (!assignments.containsKey(then.name())) {
                events.add(new ControlPlaneEvent(at, tenant, Type.ASSIGNMENT_REMOVED, then.name(), before.describe(then)));
            }
        }
        scopes.forEach((name, filter) -> {
            if (!before.scopes.containsKey(name)) {
                events.add(new ControlPlaneEvent(at, tenant, Type.SCOPE_ADDED, name, name + ": " + filter));
            } else if (!before.scopes.get(name).equals(filter)) {
                events.add(new ControlPlaneEvent(at, tenant, Type.SCOPE_FILTER_CHANGED, name,
                        name + ": '" + before.scopes.get(name) + "' -> '" + filter + "'"));
            }
        });
        before.scopes.keySet().stream().filter(name -> !scopes.containsKey(name)).forEach(name ->
                events.add(new ControlPlaneEvent(at, tenant, Type.SCOPE_REMOVED, name, name)));
        if (before.holders != null && holders != null) {
            // A principal added to a group that holds the role: no assignment changed, yet it gained access.
            holders.forEach((principal, how) -> {
                if (!before.holders.containsKey(principal) && principalsBefore.add(principal.toLowerCase(Locale.ROOT))) {
                    events.add(new ControlPlaneEvent(at, tenant, Type.PRINCIPAL_GAINED_ACCESS, principal,
                            principal + " gained mailbox access through " + how));
                }
            });
        }
        return events;
    }

    /** How an assignment changed: enabled, disabled, re-scoped, or otherwise; empty when it did not. */
    private static Optional<Type> changed(RoleAssignmentInfo then, RoleAssignmentInfo now) {
        boolean scope = !Objects.equals(then.scope(), now.scope()) || !Objects.equals(then.scopeType(), now.scopeType());
        boolean enabled = then.enabled() != now.enabled();
        boolean other = !Objects.equals(then.assignee(), now.assignee())
                || !Objects.equals(then.delegation(), now.delegation()) || !Objects.equals(then.role(), now.role());
        if (other || scope && enabled) {
            return Optional.of(Type.ASSIGNMENT_CHANGED);
        }
        if (enabled) {
            return Optional.of(now.enabled() ? Type.ASSIGNMENT_ENABLED : Type.ASSIGNMENT_DISABLED);
        }
        return scope ? Optional.of(Type.ASSIGNMENT_RESCOPED) : Optional.empty();
    }

    private String describe(RoleAssignmentInfo a) {
        return "'" + a.name() + "' (" + a.role() + " for " + assigneeOf(a) + ", scope "
                + (a.scope() == null ? "the whole organisation" : "'" + a.scope() + "'") + (a.enabled() ? "" : ", disabled")
                + (a.delegation() == null || a.delegation().equals("Regular") ? "" : ", " + a.delegation() + " only")
                + ")";
    }
}
