package io.impersonationprobe.control;

import io.impersonationprobe.control.ConfiguredAccess.Decision;
import io.impersonationprobe.probe.Outcome;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.target.Expectation;
import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Target;
import io.impersonationprobe.testing.MovableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The propagation state machine, driven by a clock the test moves. */
class PropagationTrackerTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration WINDOW = Duration.ofHours(2);
    private static final Target TARGET = new Target("contoso", "sales", "alex@contoso.com", Expectation.ALLOW);

    private final MovableClock clock = new MovableClock(T0);
    private final PropagationTracker tracker = new PropagationTracker(clock);

    private static ConfiguredAccess configured(Decision decision, String... covering) {
        return new ConfiguredAccess(decision, List.of(covering), List.of(), T0);
    }

    private static ProbeResult observed(Outcome outcome, Instant at) {
        return new ProbeResult(TARGET, ProbeKind.EWS, outcome, null, 200, at, Duration.ofMillis(40), "", "", null);
    }

    /**
     * On-premises: predicted decision, probe outcome, minutes since the change that explains the prediction (-1:
     * unknown), expected state; the cache window is 20 minutes.
     */
    @ParameterizedTest(name = "predicted {0} + {1} after {2} min -> {3}")
    @CsvSource({
            "ALLOW, OK, 1, EFFECTIVE",
            "DENY, IMPERSONATION_DENIED, 500, EFFECTIVE",
            "ALLOW, IMPERSONATION_DENIED, 19, PENDING",
            "ALLOW, IMPERSONATION_DENIED, 21, MISMATCH",
            "ALLOW, IMPERSONATION_DENIED, -1, MISMATCH",
            "DENY, OK, 5, REVOKE_PENDING",
            "DENY, OK, 21, MISMATCH",
            "ALLOW, TIMEOUT, 500, -",
            "UNKNOWN, OK, 500, -",
    })
    void comparesThePredictionWithObservedAccessOverTheCacheWindow(Decision decision, Outcome outcome, long minutes,
                                                                   String expected) {
        Instant changed = minutes < 0 ? null : T0;
        clock.advance(Duration.ofMinutes(Math.max(minutes, 0)));
        ConfiguredAccess predicted = new ConfiguredAccess(decision, List.of("Rooms"), List.of(), clock.instant(),
                ConfiguredAccess.PREDICTION, "assignment 'Rooms impersonation' → …", List.of(), changed);
        Optional<Propagation> state = tracker.againstPrediction(predicted, Duration.ofMinutes(20),
                observed(outcome, clock.instant()));
        assertEquals(expected.equals("-") ? Optional.empty() : Optional.of(Propagation.valueOf(expected)), state);
    }

    /** configured decision, probe outcome, minutes since the grant (-1: unknown), expected state (- for none). */
    @ParameterizedTest(name = "{0} + {1} after {2} min -> {3}")
    @CsvSource({
            "ALLOW, OK, 10, EFFECTIVE",
            "DENY, IMPERSONATION_DENIED, 10, EFFECTIVE",
            "ALLOW, IMPERSONATION_DENIED, 10, PENDING",
            "ALLOW, IMPERSONATION_DENIED, 119, PENDING",
            "ALLOW, IMPERSONATION_DENIED, 121, STUCK",
            "ALLOW, IMPERSONATION_DENIED, -1, PENDING",
            "DENY, OK, 10, REVOKE_PENDING",
            "DENY, OK, 500, REVOKE_PENDING",
            "ALLOW, UNAVAILABLE, 10, -",
            "ALLOW, TIMEOUT, 500, -",
            "UNKNOWN, OK, 10, -",
            "UNKNOWN, IMPERSONATION_DENIED, 500, -",
    })
    void comparesConfiguredWithObservedAccess(Decision decision, Outcome outcome, long minutes, String expected) {
        Instant since = minutes < 0 ? null : T0;
        clock.advance(Duration.ofMinutes(Math.max(minutes, 0)));
        Optional<Propagation> state = tracker.state(configured(decision, "Sales"), since, WINDOW,
                observed(outcome, clock.instant()));
        assertEquals(expected.equals("-") ? Optional.empty() : Optional.of(Propagation.valueOf(expected)), state);
    }

    @Test
    void nothingIsKnownWithoutBothSides() {
        assertEquals(Optional.empty(), tracker.state(null, T0, WINDOW, observed(Outcome.OK, T0)));
        assertEquals(Optional.empty(), tracker.state(configured(Decision.ALLOW, "Sales"), T0, WINDOW, null));
    }

    @Test
    void aScopeChangeRestartsTheWindowOfTheGrantsThatUseIt() {
        RoleAssignmentInfo grant = grant("EWS sales", "Sales", T0);
        ConfiguredAccess check = configured(Decision.ALLOW, "Sales");
        assertEquals(T0, tracker.coveredSince("contoso", check, List.of(grant)));
        Instant changed = T0.plus(Duration.ofHours(5));
        tracker.scopeChanged("contoso", "Sales", changed);
        assertEquals(changed, tracker.coveredSince("contoso", check, List.of(grant)));
        tracker.scopeChanged("contoso", "Other", changed.plusSeconds(60));
        assertEquals(changed, tracker.coveredSince("contoso", check, List.of(grant)), "another scope's change is not this one's");
        assertEquals(T0, tracker.coveredSince("fabrikam", check, List.of(grant)), "another tenant's scopes are its own");
    }

    @Test
    void theOldestCoveringGrantCounts() {
        RoleAssignmentInfo older = grant("old", "Sales", T0);
        RoleAssignmentInfo newer = grant("new", null, T0.plusSeconds(600));
        RoleAssignmentInfo elsewhere = grant("elsewhere", "Board", T0.minusSeconds(6000));
        assertEquals(T0, tracker.coveredSince("contoso", configured(Decision.ALLOW, "Sales", "Organization"),
                List.of(newer, older, elsewhere)));
        assertEquals(T0.plusSeconds(600), tracker.coveredSince("contoso", configured(Decision.ALLOW, "Organization"),
                List.of(newer, older, elsewhere)));
        assertNull(tracker.coveredSince("contoso", configured(Decision.ALLOW, "Rooms"), List.of(newer, older)));
    }

    @Test
    void theFirstAccessThroughANewGrantMeasuresItsDelay() {
        RoleAssignmentInfo grant = grant("EWS sales", "Sales", T0);
        tracker.grantAdded("contoso", grant);
        ConfiguredAccess check = configured(Decision.ALLOW, "Sales");
        ProbeResult denied = observed(Outcome.IMPERSONATION_DENIED, T0.plusSeconds(60));
        assertEquals(List.of(), tracker.observed("contoso", check, denied, null), "still denied: nothing to measure");
        ProbeResult allowed = observed(Outcome.OK, T0.plus(Duration.ofMinutes(47)));
        List<PropagationTracker.Effect> effects = tracker.observed("contoso", check, allowed, denied);
        assertEquals(1, effects.size());
        assertEquals(Duration.ofMinutes(47).plusMillis(40), effects.get(0).delay());
        assertEquals(List.of(), tracker.observed("contoso", check, observed(Outcome.OK, T0.plus(Duration.ofHours(1))),
                denied), "measured once");
    }

    @Test
    void accessThatWasThereBeforeMeasuresNothing() {
        tracker.grantAdded("contoso", grant("EWS sales", "Sales", T0));
        ConfiguredAccess check = configured(Decision.ALLOW, "Sales");
        ProbeResult before = observed(Outcome.OK, T0.minusSeconds(30));
        assertEquals(List.of(), tracker.observed("contoso", check, observed(Outcome.OK, T0.plusSeconds(30)), before));
        assertEquals(List.of(), tracker.observed("contoso", configured(Decision.ALLOW, "Rooms"),
                observed(Outcome.OK, T0.plusSeconds(30)), null), "a grant of another scope did not open it");
        assertEquals(1, tracker.observed("contoso", check, observed(Outcome.OK, T0.plusSeconds(90)), null).size());
    }

    @Test
    void stuckIsAQuestionOfTheClock() {
        assertTrue(!tracker.isStuck(T0, WINDOW));
        clock.advance(WINDOW.plusSeconds(1));
        assertTrue(tracker.isStuck(T0, WINDOW));
        assertTrue(!tracker.isStuck(null, WINDOW), "no start, no verdict");
    }

    private static final Map<PropagationTracker.ChangeKind, Duration> GATE_WINDOWS = Map.of(
            PropagationTracker.ChangeKind.GRANT, WINDOW, PropagationTracker.ChangeKind.EWS_ENABLED, Duration.ofHours(1),
            PropagationTracker.ChangeKind.ALLOW_LIST, Duration.ofHours(24));

    @Test
    void anOpenedAllowListIsPendingForItsOwnDayAndMeasuredOnItsOwnClock() {
        tracker.gateChanged("contoso", new PropagationTracker.GateChange(PropagationTracker.ChangeKind.ALLOW_LIST, T0,
                EwsAppDecision.BLOCKED_ALLOW_LIST_EMPTY, EwsAppDecision.ALLOWED, "EwsAllowedAppIDs '' -> 'app'"));
        ProbeResult refused = observed(Outcome.EWS_BLOCKED, T0.plus(Duration.ofHours(5)));
        clock.advance(Duration.ofHours(5));
        assertEquals(Optional.of(Propagation.PENDING), tracker.gateState("contoso", refused, GATE_WINDOWS),
                "5 h after an allow-list change is within Exchange's 24 h");
        assertEquals(List.of(), tracker.observed("contoso", null, refused, null), "still refused: nothing took effect");
        ProbeResult through = observed(Outcome.OK, T0.plus(Duration.ofHours(7)));
        List<PropagationTracker.Effect> effects = tracker.observed("contoso", null, through, refused);
        assertEquals(1, effects.size());
        assertEquals(PropagationTracker.ChangeKind.ALLOW_LIST, effects.get(0).kind());
        assertEquals(Duration.ofHours(7).plusMillis(40), effects.get(0).delay());
        assertEquals(Optional.empty(), tracker.pendingGate("contoso"), "measured once");
    }

    @Test
    void anEwsEnabledChangeIsStuckAfterItsHourAndAClosingOneIsARevokeInProgress() {
        tracker.gateChanged("contoso", new PropagationTracker.GateChange(PropagationTracker.ChangeKind.EWS_ENABLED, T0,
                EwsAppDecision.BLOCKED_EWS_DISABLED, EwsAppDecision.ALLOWED_FOR_NOW, "EwsEnabled false -> null"));
        clock.advance(Duration.ofMinutes(61));
        assertEquals(Optional.of(Propagation.STUCK), tracker.gateState("contoso",
                observed(Outcome.EWS_DISABLED, clock.instant()), GATE_WINDOWS));
        tracker.gateChanged("contoso", new PropagationTracker.GateChange(PropagationTracker.ChangeKind.EWS_ENABLED,
                clock.instant(), EwsAppDecision.ALLOWED_FOR_NOW, EwsAppDecision.BLOCKED_EWS_DISABLED,
                "EwsEnabled null -> false"));
        assertEquals(Optional.of(Propagation.REVOKE_PENDING), tracker.gateState("contoso",
                observed(Outcome.OK, clock.instant()), GATE_WINDOWS));
        assertEquals(Optional.empty(), tracker.gateState("contoso", observed(Outcome.FORBIDDEN, clock.instant()),
                GATE_WINDOWS), "a bare 403 is no gate's doing");
        ProbeResult closed = observed(Outcome.EWS_DISABLED, clock.instant().plusSeconds(1800));
        assertEquals(PropagationTracker.ChangeKind.EWS_ENABLED, tracker.observed("contoso", null, closed,
                observed(Outcome.OK, clock.instant())).get(0).kind());
    }

    @Test
    void aRefusalTheOldStateDidNotGiveIsNotWaitingForTheChange() {
        // EwsEnabled True with a list naming someone else -> $null: the old state refused "blocked by policy".
        tracker.gateChanged("contoso", new PropagationTracker.GateChange(PropagationTracker.ChangeKind.EWS_ENABLED, T0,
                EwsAppDecision.BLOCKED_NOT_IN_ALLOW_LIST, EwsAppDecision.ALLOWED_FOR_NOW, "EwsEnabled true -> null"));
        clock.advance(Duration.ofMinutes(10));
        assertEquals(Optional.of(Propagation.PENDING), tracker.gateState("contoso",
                observed(Outcome.EWS_BLOCKED, clock.instant()), GATE_WINDOWS), "the old state, still in force");
        assertEquals(Optional.empty(), tracker.gateState("contoso", observed(Outcome.EWS_DISABLED, clock.instant()),
                GATE_WINDOWS), "\"disabled\" is not what True with a list gave: the mailbox's own EwsEnabled, or newer");
        // A state saved before the daemon kept the old decision: any gate refusal may be it.
        PropagationTracker.GateChange saved = new PropagationTracker.GateChange(
                PropagationTracker.ChangeKind.EWS_ENABLED, T0, null, EwsAppDecision.ALLOWED_FOR_NOW, "EwsEnabled false -> null");
        assertTrue(saved.explains(Outcome.EWS_DISABLED) && saved.explains(Outcome.EWS_BLOCKED));
        assertFalse(saved.explains(Outcome.FORBIDDEN), "a bare 403 is no gate's doing");
    }

    private static RoleAssignmentInfo grant(String name, String scope, Instant created) {
        return new RoleAssignmentInfo(name, "Application EWS.AccessAsApp", "6731de76-14a6-49ae-97bc-6eba6914391e",
                "ServicePrincipal", scope, true, created, created);
    }
}
