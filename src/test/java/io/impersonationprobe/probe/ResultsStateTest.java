package io.impersonationprobe.probe;

import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.state.StateDirectory;
import io.impersonationprobe.target.Expectation;
import io.impersonationprobe.target.PerMailboxSeries;
import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Shard;
import io.impersonationprobe.target.Target;
import io.impersonationprobe.target.TargetGroup;
import io.impersonationprobe.testing.MovableClock;
import microsoft.exchange.webservices.data.core.enumeration.property.WellKnownFolderName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The targets' results survive a restart through the state directory, history and counts included. */
class ResultsStateTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private static TargetGroup group(String name, Expectation expect, int size) {
        List<Target> targets = IntStream.range(0, size)
                .mapToObj(i -> new Target("contoso", name, "user" + i + "@contoso.com", expect)).toList();
        return new TargetGroup(name, "contoso", expect, Duration.ofMinutes(5), targets, List.of(ProbeKind.EWS),
                PerMailboxSeries.AUTO);
    }

    private static ResultStore store(TargetGroup... groups) {
        return new ResultStore(new ValidatedConfig(Map.of(), List.of(groups), List.of(), Shard.SINGLE, 500,
                WellKnownFolderName.Inbox));
    }

    private static ProbeResult result(Target target, Outcome outcome, Instant at) {
        return new ProbeResult(target, ProbeKind.EWS, outcome.forExpectation(target.expect()),
                outcome == Outcome.OK ? "NoError" : "ErrorImpersonateUserDenied", outcome == Outcome.OK ? 200 : 500, at,
                Duration.ofMillis(42), "HTTP " + (outcome == Outcome.OK ? 200 : 500), "fix " + outcome, null);
    }

    @Test
    void historyStandingResultsAndCountsComeBack(@TempDir Path dir) {
        TargetGroup sales = group("sales", Expectation.ALLOW, 3);
        ResultStore before = store(sales);
        Target alex = sales.targets().get(0);
        Target megan = sales.targets().get(1);
        before.record(result(alex, Outcome.OK, T0));
        before.record(result(alex, Outcome.IMPERSONATION_DENIED, T0.plusSeconds(60)));
        before.record(result(alex, Outcome.THROTTLED, T0.plusSeconds(120)));
        before.record(result(megan, Outcome.OK, T0.plusSeconds(60)));

        StateDirectory state = new StateDirectory(dir, new MovableClock(T0));
        state.write("results-contoso", new ResultsState.Document(before.snapshot("contoso")));
        ResultStore after = store(sales);
        assertEquals(2, after.restore(state.read("results-contoso", ResultsState.Document.class).orElseThrow()
                .data().statuses()));

        TargetStatus was = before.status(ProbeKind.EWS, alex.id());
        TargetStatus is = after.status(ProbeKind.EWS, alex.id());
        assertEquals(Outcome.THROTTLED, is.last().outcome());
        assertEquals(Outcome.IMPERSONATION_DENIED, is.effective().outcome(), "the last definite verdict stands");
        assertEquals("fix IMPERSONATION_DENIED", is.effective().remediation());
        assertEquals(was.lastSuccessAt(), is.lastSuccessAt());
        assertEquals(was.history(), is.history());
        assertEquals(before.countByState("sales", ProbeKind.EWS), after.countByState("sales", ProbeKind.EWS));
        assertEquals(Map.of(TargetState.OK, 1, TargetState.FAILING, 1, TargetState.UNKNOWN, 1),
                after.countByState("sales", ProbeKind.EWS));
        assertNull(after.status(ProbeKind.EWS, sales.targets().get(2).id()).last(), "never probed, still unknown");
    }

    @Test
    void aTargetWhoseGroupNowSaysDenyLeaksFromTheStart(@TempDir Path dir) {
        ResultStore before = store(group("board", Expectation.ALLOW, 1));
        Target patti = before.all().get(0).target();
        before.record(result(patti, Outcome.OK, T0));
        List<TargetStatus.Snapshot> saved = before.snapshot("contoso");

        ResultStore after = store(group("board", Expectation.DENY, 1));
        after.restore(saved);
        assertEquals(Outcome.SCOPE_LEAK, after.all().get(0).effective().outcome());
        assertEquals(1, after.scopeLeaks("board"));
        assertEquals(1, after.count("board", ProbeKind.EWS, TargetState.FAILING));
    }

    @Test
    void targetsNoLongerConfiguredAreSkippedAndThisRunsResultsStand(@TempDir Path dir) {
        TargetGroup sales = group("sales", Expectation.ALLOW, 2);
        ResultStore before = store(sales);
        sales.targets().forEach(t -> before.record(result(t, Outcome.OK, T0)));
        List<TargetStatus.Snapshot> saved = before.snapshot("contoso");

        ResultStore after = store(group("sales", Expectation.ALLOW, 1));
        Target kept = after.all().get(0).target();
        after.record(result(kept, Outcome.IMPERSONATION_DENIED, T0.plusSeconds(30)));
        assertEquals(0, after.restore(saved), "one target is gone, the other was probed already");
        assertEquals(Outcome.IMPERSONATION_DENIED, after.all().get(0).effective().outcome());
    }

    /** Prints how big the results of 100,000 targets are on disk; the figure is in the operations page. */
    @Test
    void theStateOf100000Targets(@TempDir Path dir) throws IOException {
        int size = 100_000;
        TargetGroup estate = group("estate", Expectation.ALLOW, size);
        ResultStore before = store(estate);
        for (int i = 0; i < size; i++) {
            Target target = estate.targets().get(i);
            // Five successes each; one target in fifty has failed ten times since.
            for (int run = 0; run < 5; run++) {
                before.record(result(target, Outcome.OK, T0.plusSeconds(300L * run)));
            }
            if (i % 50 == 0) {
                for (int run = 0; run < 10; run++) {
                    before.record(result(target, Outcome.IMPERSONATION_DENIED, T0.plusSeconds(1500 + 300L * run)));
                }
            }
        }
        StateDirectory state = new StateDirectory(dir, new MovableClock(T0));
        long started = System.nanoTime();
        state.write("results-contoso", new ResultsState.Document(before.snapshot("contoso")));
        long written = System.nanoTime();
        List<TargetStatus.Snapshot> read = state.read("results-contoso", ResultsState.Document.class).orElseThrow()
                .data().statuses();
        long readBack = System.nanoTime();
        ResultStore after = store(estate);
        assertEquals(size, after.restore(new ArrayList<>(read)));
        assertEquals(before.countByState("estate", ProbeKind.EWS), after.countByState("estate", ProbeKind.EWS));
        long bytes = Files.size(dir.resolve("results-contoso.json.gz"));
        System.out.printf("State of %,d targets: %,d bytes on disk (%.1f bytes per target); written in %d ms, read in "
                + "%d ms%n", size, bytes, bytes / (double) size, (written - started) / 1_000_000,
                (readBack - written) / 1_000_000);
    }
}
