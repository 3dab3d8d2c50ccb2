package io.impersonationprobe.simulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The simulated tenant's time: real time plus however far a demo or a test has moved it, so that token lifetimes,
 * propagation delays and caches can be skipped through instead of waited for. It only moves forward, except when
 * the tenant is reset to real time.
 */
public final class SimulatorClock extends Clock {
    private final Clock base;
    private volatile Duration offset = Duration.ZERO;

    SimulatorClock(Clock base) {
        this.base = base;
    }

    @Override
    public Instant instant() {
        return base.instant().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the simulated tenant keeps UTC");
    }

    /** How far the clock is ahead of real time. */
    public Duration offset() {
        return offset;
    }

    /** Moves the clock forward; returns the new time. */
    public synchronized Instant advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("the clock only moves forward");
        }
        offset = offset.plus(by);
        return instant();
    }

    /** Back to real time. */
    synchronized void reset() {
        offset = Duration.ZERO;
    }
}
