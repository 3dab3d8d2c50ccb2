package io.impersonationprobe.probe;

import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Expectation;
import io.impersonationprobe.target.Target;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The history a target keeps for the API: bounded, newest first, and what it shows survives the compact form. */
class TargetStatusTest {
    private static final Target TARGET = new Target("contoso", "sales", "alex.wilber@contoso.com", Expectation.ALLOW);
    private static final Instant T0 = Instant.parse("2026-11-22T06:00:00.123456789Z");

    private static ProbeResult result(int i, Outcome outcome, String detail) {
        return new ProbeResult(TARGET, ProbeKind.EWS, outcome, outcome == Outcome.OK ? "NoError" : "ErrorImpersonateUserDenied",
                outcome == Outcome.OK ? 200 : 500, T0.plusSeconds(i), Duration.ofNanos(21_000_001L + i), detail,
                "remediation text", null);
    }

    @Test
    void keepsTheLastFiveSuccessesAndTwentyFiveFailuresNewestFirst() {
        TargetStatus status = new TargetStatus(TARGET, ProbeKind.EWS);
        for (int i = 0; i < 40; i++) {
            status.record(i % 4 == 0 ? result(i, Outcome.OK, "HTTP 200, NoError")
                    : result(i, Outcome.IMPERSONATION_DENIED, new String("HTTP 500, ErrorImpersonateUserDenied")));
        }
        List<ProbeResult> history = status.history();
        assertEquals(TargetStatus.SUCCESSES_KEPT + TargetStatus.FAILURES_KEPT, history.size());
        assertEquals(TargetStatus.SUCCESSES_KEPT, history.stream().filter(ProbeResult::success).count());
        assertEquals(T0.plusSeconds(39), history.get(0).startedAt(), "newest first, to the nanosecond");
        assertEquals(Duration.ofNanos(21_000_001L + 39), history.get(0).duration());
        ProbeResult oldestSuccess = history.stream().filter(ProbeResult::success).reduce((a, b) -> b).orElseThrow();
        assertEquals(T0.plusSeconds(20), oldestSuccess.startedAt(), "successes 20, 24, ..., 36 are kept");
        ProbeResult failure = history.get(0);
        assertEquals(Outcome.IMPERSONATION_DENIED, failure.outcome());
        assertEquals(500, failure.httpStatus());
        assertEquals("ErrorImpersonateUserDenied", failure.responseCode());
        assertEquals(Verdict.DENIED, failure.verdict());
        assertNull(failure.remediation(), "not kept: the standing result carries it");
        assertSame(history.get(0).detail(), history.get(1).detail(), "identical texts are kept once");
        assertEquals(Outcome.IMPERSONATION_DENIED, status.last().outcome());
        assertEquals("remediation text", status.last().remediation(), "the last result is kept whole");
    }
}
