package io.impersonationprobe.control;

import io.impersonationprobe.control.ControlPlaneEvent.Type;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Change detection between two reads of the control plane, as a table: before, after, the events expected. */
class AccessConfigurationTest {
    private static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");
    private static final String APP = "6731de76-14a6-49ae-97bc-6eba6914391e";
    private static final String OTHER_APP = "0f9e8d7c-0000-4000-8000-000000000001";

    private static RoleAssignmentInfo grant(String name, String assignee, String scope, boolean enabled) {
        return new RoleAssignmentInfo(name, "Application EWS.AccessAsApp", assignee, "ServicePrincipal", scope, enabled,
                AT, AT);
    }

    private static AccessConfiguration read(Map<String, String> scopes, RoleAssignmentInfo... assignments) {
        return AccessConfiguration.of(List.of(assignments), scopes);
    }

    private record Change(String name, AccessConfiguration before, AccessConfiguration after, List<Type> types,
                          List<String> subjects) {
    }

    @Test
    void eachKindOfChangeIsOneEventWithItsSubject() {
        Map<String, String> sales = Map.of("Sales", "Department -eq 'Sales'");
        List<Change> table = List.of(
                new Change("nothing changed", read(sales, grant("a", APP, "Sales", true)),
                        read(sales, grant("a", APP, "Sales", true)), List.of(), List.of()),
                new Change("a grant for a principal already holding one", read(sales, grant("a", APP, "Sales", true)),
                        read(sales, grant("a", APP, "Sales", true), grant("b", APP, null, true)),
                        List.of(Type.ASSIGNMENT_ADDED), List.of("b")),
                new Change("a new principal", read(sales, grant("a", APP, "Sales", true)),
                        read(sales, grant("a", APP, "Sales", true), grant("c", OTHER_APP, null, true)),
                        List.of(Type.ASSIGNMENT_ADDED, Type.PRINCIPAL_GAINED_ACCESS), List.of("c", OTHER_APP)),
                new Change("removed", read(sales, grant("a", APP, "Sales", true)), read(sales),
                        List.of(Type.ASSIGNMENT_REMOVED), List.of("a")),
                new Change("disabled", read(sales, grant("a", APP, "Sales", true)),
                        read(sales, grant("a", APP, "Sales", false)), List.of(Type.ASSIGNMENT_DISABLED), List.of("a")),
                new Change("enabled", read(sales, grant("a", APP, "Sales", false)),
                        read(sales, grant("a", APP, "Sales", true)), List.of(Type.ASSIGNMENT_ENABLED), List.of("a")),
                new Change("disabled and re-scoped", read(sales, grant("a", APP, "Sales", true)),
                        read(sales, grant("a", APP, null, false)), List.of(Type.ASSIGNMENT_CHANGED), List.of("a")),
                new Change("re-scoped", read(sales, grant("a", APP, "Sales", true)),
                        read(sales, grant("a", APP, null, true)), List.of(Type.ASSIGNMENT_RESCOPED), List.of("a")),
                new Change("scope added", read(Map.of()), read(sales), List.of(Type.SCOPE_ADDED), List.of("Sales")),
                new Change("scope removed", read(sales), read(Map.of()), List.of(Type.SCOPE_REMOVED), List.of("Sales")),
                new Change("filter changed", read(sales), read(Map.of("Sales", "Department -like 'Sales*'")),
                        List.of(Type.SCOPE_FILTER_CHANGED), List.of("Sales")));
        for (Change change : table) {
            List<ControlPlaneEvent> events = change.after().changesSince(change.before(), "contoso", AT);
            assertEquals(change.types(), events.stream().map(ControlPlaneEvent::type).toList(), change.name());
            assertEquals(change.subjects(), events.stream().map(ControlPlaneEvent::subject).toList(), change.name());
            events.forEach(e -> assertEquals(AT, e.at(), change.name()));
        }
    }

    @Test
    void onlyRolesThatOpenMailboxesAreKept() {
        AccessConfiguration read = AccessConfiguration.of(List.of(grant("ews", APP, null, true),
                new RoleAssignmentInfo("mail", "Application Mail.Read", APP, "ServicePrincipal", null, true, AT, AT),
                new RoleAssignmentInfo("helpdesk", "Mail Recipients", "helpdesk", "RoleGroup", null, true, AT, AT)),
                Map.of());
        assertEquals(List.of("ews", "mail"), List.copyOf(read.assignments().keySet()));
        assertEquals(Map.of("Application EWS.AccessAsApp", 1L, "Application Mail.Read", 1L), read.countByRole());
    }
}
