package io.impersonationprobe.testing;

import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.control.ControlPlanePoller;
import io.impersonationprobe.probe.ProbeScheduler;
import io.impersonationprobe.simulator.Simulator;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The start of a test that reads what the daemon shows: the simulator back to the demo tenant, and the daemon's
 * view brought up to it (a poll of every control plane, then a cycle of every group), whatever an earlier test did.
 */
public final class FreshDemo {
    private FreshDemo() {
    }

    public static void restore(Simulator simulator, ProbeScheduler scheduler, ControlPlanePoller poller,
                               ValidatedConfig config) {
        // Faults off first, so that cycles still running end soon; they would record results from before the
        // reset after those made below, so they are waited for, and what they left in the simulator is reset too.
        simulator.reset();
        Await.until(Duration.ofSeconds(60), "no probe cycle in progress", () -> scheduler.progress().values().stream()
                .allMatch(p -> p.startedCycles() == p.completedCycles()));
        simulator.reset();
        config.tenants().keySet().stream().filter(poller::polls).forEach(poller::poll);
        try {
            CompletableFuture.allOf(config.groups().stream().map(scheduler::runCycle).toArray(CompletableFuture[]::new))
                    .get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the cycles after the reset did not finish", e);
        }
    }
}
