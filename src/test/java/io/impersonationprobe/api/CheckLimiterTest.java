package io.impersonationprobe.api;

import io.impersonationprobe.testing.MovableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 50 callers, each allowed 10 live checks a minute, against a daemon that is busy when they start: every "busy"
 * refusal is free, so once the daemon has room all 500 allowed checks run, and the 11th of each caller is refused
 * for its rate. Time is a movable clock; nothing sleeps.
 */
class CheckLimiterTest {
    static final int CALLERS = 50;
    static final int PER_MINUTE = 10;
    static final int MAX_CONCURRENT = 4;

    @Test
    void busyRefusalsDoNotSpendTheBudget() throws Exception {
        MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));
        CheckLimiter limiter = new CheckLimiter(PER_MINUTE, MAX_CONCURRENT, clock);
        ExecutorService pool = Executors.newFixedThreadPool(CALLERS + MAX_CONCURRENT);
        try {
            // The daemon is busy: long checks of another caller hold every place.
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch holding = new CountDownLatch(MAX_CONCURRENT);
            List<Future<?>> hogs = new ArrayList<>();
            for (int i = 0; i < MAX_CONCURRENT; i++) {
                String hog = "scheduler-" + i;
                hogs.add(pool.submit(() -> limiter.run(hog, () -> {
                    holding.countDown();
                    return release.await(1, TimeUnit.MINUTES);
                })));
            }
            assertTrue(holding.await(1, TimeUnit.MINUTES));

            AtomicInteger ran = new AtomicInteger();
            for (int caller = 0; caller < CALLERS; caller++) {
                int c = caller;
                for (int attempt = 0; attempt < 3; attempt++) {
                    ApiProblem refused = assertThrows(ApiProblem.class, () -> limiter.run("caller-" + c, ran::incrementAndGet));
                    assertEquals("busy", refused.type());
                }
            }
            release.countDown();
            for (Future<?> hog : hogs) {
                hog.get(1, TimeUnit.MINUTES);
            }

            // Every caller retries after "busy" until it has run its ten; all at once, so some are busy again.
            AtomicInteger busy = new AtomicInteger();
            List<Future<Integer>> callers = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                String caller = "caller-" + c;
                callers.add(pool.submit(() -> {
                    int mine = 0;
                    long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
                    while (mine < PER_MINUTE && System.nanoTime() < giveUp) {
                        try {
                            limiter.run(caller, () -> {
                                Thread.yield();
                                return ran.incrementAndGet();
                            });
                            mine++;
                        } catch (ApiProblem refused) {
                            assertEquals("busy", refused.type(), "no caller may be rate-limited before its tenth check");
                            busy.incrementAndGet();
                            Thread.yield();
                        }
                    }
                    return mine;
                }));
            }
            for (Future<Integer> caller : callers) {
                assertEquals(PER_MINUTE, caller.get(1, TimeUnit.MINUTES));
            }
            System.out.printf("live checks: %d ran, %d busy refusals after the daemon had room%n", ran.get(), busy.get());
            assertEquals(CALLERS * PER_MINUTE, ran.get());

            // The eleventh in the same minute is refused for its rate, with the wait until a start leaves the window.
            ApiProblem limited = assertThrows(ApiProblem.class, () -> limiter.run("caller-0", ran::incrementAndGet));
            assertEquals("rate-limited", limited.type());
            assertTrue(limited.retryAfter().compareTo(CheckLimiter.WINDOW) <= 0, limited.retryAfter().toString());
            clock.advance(CheckLimiter.WINDOW);
            assertEquals(CALLERS * PER_MINUTE + 1, limiter.run("caller-0", ran::incrementAndGet));
        } finally {
            pool.shutdownNow();
        }
    }
}
