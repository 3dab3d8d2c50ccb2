package io.impersonationprobe.bench;

import io.impersonationprobe.simulator.SimulatorOptions;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The EWS traffic as the simulator sees it: how many answers it has sent, and the time from the first request of a
 * window to the last answer sent, which bounds a probe cycle as the server sees it.
 */
final class EwsWindow implements SimulatorOptions.EwsObserver {
    private final AtomicLong answered = new AtomicLong();
    private volatile long firstArrivalNanos;
    private volatile long lastAnswerNanos;
    private volatile boolean open;

    @Override
    public void arrived() {
        if (open) {
            synchronized (this) {
                if (open) {
                    firstArrivalNanos = System.nanoTime();
                    open = false;
                }
            }
        }
    }

    @Override
    public void answered() {
        lastAnswerNanos = System.nanoTime();
        answered.incrementAndGet();
    }

    /** Starts a new window: the next EWS request to arrive marks its start. */
    synchronized void open() {
        open = true;
    }

    /** From the first request of the window to the last answer sent. */
    Duration length() {
        return Duration.ofNanos(lastAnswerNanos - firstArrivalNanos);
    }

    /** EWS answers sent so far. */
    long answers() {
        return answered.get();
    }
}
