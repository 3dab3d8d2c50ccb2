package io.impersonationprobe.api;

import io.impersonationprobe.config.ProbeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Bounds live checks: a rolling per-caller rate limit, and a bound on checks in flight over all callers. Both refuse
 * at once with a 429 rather than queue, so a burst of checks never piles up threads or connections. A caller's budget
 * is spent only by a check that was admitted: a "busy" refusal costs nothing, so callers that retry after it still get
 * every check they are allowed.
 */
@ApplicationScoped
public class CheckLimiter {
    static final Duration WINDOW = Duration.ofMinutes(1);

    private final Map<String, Deque<Instant>> admitted = new ConcurrentHashMap<>();
    private final Semaphore inFlight;
    private final int perMinute;
    private final Clock clock;

    @Inject
    public CheckLimiter(ProbeConfig config, Clock clock) {
        this(config.api().checks().perCallerPerMinute(), config.api().checks().maxConcurrent(), clock);
    }

    CheckLimiter(int perMinute, int maxConcurrent, Clock clock) {
        this.perMinute = perMinute;
        this.inFlight = new Semaphore(maxConcurrent);
        this.clock = clock;
    }

    /** Runs the check if the caller's budget and the bound on checks in flight allow it; otherwise throws a 429. */
    public <T> T run(String caller, Callable<T> check) {
        // Callers are authenticated principals from configuration, so this map is bounded by the configured keys.
        Deque<Instant> starts = admitted.computeIfAbsent(caller, c -> new ArrayDeque<>());
        synchronized (starts) {
            Instant now = clock.instant();
            while (!starts.isEmpty() && !starts.peekFirst().isAfter(now.minus(WINDOW))) {
                starts.removeFirst();
            }
            if (starts.size() >= perMinute) {
                Duration wait = Duration.between(now, starts.peekFirst().plus(WINDOW));
                throw new ApiProblem(429, "rate-limited", "Too many live checks", "This caller may start " + perMinute
                        + " live checks per minute; try again after the Retry-After delay.",
                        wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait);
            }
            if (!inFlight.tryAcquire()) {
                throw new ApiProblem(429, "busy", "Too many live checks in flight", "The daemon runs a bounded number "
                        + "of live checks at once so that scheduled probes keep their pace; try again shortly.",
                        Duration.ofSeconds(1));
            }
            starts.addLast(now);
        }
        try {
            return check.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            inFlight.release();
        }
    }
}
