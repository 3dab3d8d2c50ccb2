package io.impersonationprobe.probe;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;

/**
 * Proof of life for the liveness check: the scheduler fires this every few seconds. It depends on nothing, so it
 * keeps beating (and says nothing) even while the rest of the application fails to start.
 */
@ApplicationScoped
public class Heartbeat {
    private volatile Instant last = Instant.now();

    @Scheduled(every = "5s", identity = "heartbeat")
    void beat() {
        last = Instant.now();
    }

    public Instant last() {
        return last;
    }
}
