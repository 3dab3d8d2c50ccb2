package io.impersonationprobe.probe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Pauses one tenant's probes for as long as Exchange asked (ErrorServerBusy's BackOffMilliseconds, Retry-After).
 * Probes wait on the tenant's own threads, so other tenants go on. A request to pause longer than
 * {@link #MAX_PAUSE} is cut to it: a broken or hostile server must not silence the daemon for days.
 */
public final class BackoffGate {
    public static final Duration MAX_PAUSE = Duration.ofMinutes(15);

    private final Clock clock;
    private Instant pausedUntil = Instant.MIN;

    public BackoffGate(Clock clock) {
        this.clock = clock;
    }

    /** The pause applied for a requested one: never longer than {@link #MAX_PAUSE}. */
    public static Duration capped(Duration requested) {
        return requested.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : requested;
    }

    /**
     * Extends the pause to at least {@code duration} from now.
     *
     * @return by how much the pause grew (zero when an existing pause already covers it)
     */
    public synchronized Duration pause(Duration duration) {
        Instant now = clock.instant();
        Instant until = now.plus(capped(duration));
        Instant current = pausedUntil.isAfter(now) ? pausedUntil : now;
        if (!until.isAfter(current)) {
            return Duration.ZERO;
        }
        pausedUntil = until;
        notifyAll();
        return Duration.between(current, until);
    }

    /** Blocks while the tenant is paused. */
    public synchronized void awaitClearance() throws InterruptedException {
        for (Instant now = clock.instant(); now.isBefore(pausedUntil); now = clock.instant()) {
            wait(Math.max(1, Duration.between(now, pausedUntil).toMillis()));
        }
    }

    public synchronized Instant pausedUntil() {
        return pausedUntil;
    }
}
