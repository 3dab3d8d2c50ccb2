package io.impersonationprobe.control;

import io.impersonationprobe.control.ConfiguredAccess.Decision;
import io.impersonationprobe.state.StateDirectory;
import io.impersonationprobe.testing.MovableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A tenant's control plane goes through the state directory and comes back equal, every part of it. */
class ControlPlaneSnapshotTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void everyPartComesBack(@TempDir Path dir) {
        RoleAssignmentInfo grant = new RoleAssignmentInfo("EWS sales", "Application EWS.AccessAsApp",
                "6731de76-14a6-49ae-97bc-6eba6914391e", "ServicePrincipal", "Sales", true, T0, T0.plusSeconds(5));
        ControlPlaneEvent seen = new ControlPlaneEvent(T0, "contoso", ControlPlaneEvent.Type.SCOPE_ADDED, "Sales",
                "Sales: Department -eq 'Sales'").seenAfterRestart(T0.minusSeconds(3600));
        ControlPlaneSnapshot snapshot = new ControlPlaneSnapshot(
                new OrganizationState(true, EwsEnabled.NULL, List.of("a", "b"), "EnforceAllowList", false,
                        EwsAppDecision.BLOCKED_USER_AGENT, List.of("Get-OrganizationConfig.EwsBlockList"), T0),
                AccessConfiguration.of(List.of(grant), Map.of("Sales", "Department -eq 'Sales'"),
                        List.of(new ServicePrincipalInfo("6731de76-14a6-49ae-97bc-6eba6914391e",
                                "9f1d2c3b-0000-4000-8000-000000000001", "Impersonation Probe"))), T0,
                List.of(seen), Map.of("sales/alex@contoso.com", new ConfiguredAccess(Decision.ALLOW, List.of("Sales"),
                List.of(), T0)), new PropagationTracker.Pending(List.of(grant), Map.of("Sales", T0),
                List.of(new PropagationTracker.GateChange(PropagationTracker.ChangeKind.ALLOW_LIST, T0,
                        EwsAppDecision.BLOCKED_ALLOW_LIST_EMPTY, EwsAppDecision.ALLOWED, "EwsAllowedAppIDs '' -> 'x'"))));
        StateDirectory state = new StateDirectory(dir, new MovableClock(T0));
        state.write("control-plane-contoso", snapshot);
        assertEquals(snapshot, state.read("control-plane-contoso", ControlPlaneSnapshot.class).orElseThrow().data());
        assertEquals(T0.minusSeconds(3600), seen.since());
        assertEquals("Sales: Department -eq 'Sales' (changed while the daemon was down, between 2026-12-01T09:00:00Z "
                + "and 2026-12-01T10:00:00Z)", seen.description());
    }
}
