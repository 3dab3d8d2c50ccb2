package io.impersonationprobe.ews;

import org.apache.http.client.methods.HttpUriRequest;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Enforces a probe's total deadline. ews-java-api's timeout applies to each connect and each read, so a server that
 * trickles bytes could hold a probe forever; at the deadline this aborts the request in flight.
 */
final class Watchdog implements AutoCloseable {
    private final ScheduledFuture<?> alarm;
    private volatile HttpUriRequest request;
    private volatile boolean fired;

    Watchdog(ScheduledExecutorService timer, long millis) {
        this.alarm = timer.schedule(this::fire, Math.max(millis, 0), TimeUnit.MILLISECONDS);
    }

    void watch(HttpUriRequest request) {
        this.request = request;
        if (fired) {
            request.abort();
        }
    }

    private void fire() {
        fired = true;
        HttpUriRequest current = request;
        if (current != null) {
            current.abort();
        }
    }

    boolean fired() {
        return fired;
    }

    @Override
    public void close() {
        alarm.cancel(false);
    }
}
