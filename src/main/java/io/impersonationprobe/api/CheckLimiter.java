package io.impersonationprobe.api;

import io.impersonationprobe.config.ProbeConfig;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.faulttolerance.api.RateLimitException;
import io.smallrye.faulttolerance.api.RateLimitType;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds live checks: a rolling per-caller rate limit, and a bulkhead over all callers. Both refuse at once with a
 * 429 rather than queue, so a burst of checks never piles up threads or connections.
 */
@ApplicationScoped
public class CheckLimiter {
    private final Map<String, Guard> perCaller = new ConcurrentHashMap<>();
    private final Guard inFlight;
    private final int perMinute;

    @Inject
    public CheckLimiter(ProbeConfig config) {
        this.perMinute = config.api().checks().perCallerPerMinute();
        this.inFlight = Guard.create().withDescription("live checks in flight")
                .withBulkhead().limit(config.api().checks().maxConcurrent()).done().build();
    }

    /** Runs the check if the caller's budget and the bulkhead allow it; otherwise throws a 429 problem. */
    public <T> T run(String caller, Callable<T> check, Class<T> type) {
        // Callers are authenticated principals from configuration, so this map is bounded by the configured keys.
        Guard rate = perCaller.computeIfAbsent(caller, c -> Guard.create().withDescription("live checks of " + c)
                .withRateLimit().limit(perMinute).window(1, ChronoUnit.MINUTES).type(RateLimitType.ROLLING).done()
                .build());
        try {
            return rate.call(() -> inFlight.call(check, type), type);
        } catch (RateLimitException e) {
            throw new ApiProblem(429, "rate-limited", "Too many live checks", "This caller may start " + perMinute
                    + " live checks per minute; try again after the Retry-After delay.",
                    Duration.ofMillis(Math.max(1000, e.getRetryAfterMillis())));
        } catch (BulkheadException e) {
            throw new ApiProblem(429, "busy", "Too many live checks in flight", "The daemon runs a bounded number of "
                    + "live checks at once so that scheduled probes keep their pace; try again shortly.",
                    Duration.ofSeconds(1));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
