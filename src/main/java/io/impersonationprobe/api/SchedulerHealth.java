package io.impersonationprobe.api;

import io.impersonationprobe.probe.Heartbeat;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import java.time.Duration;
import java.time.Instant;

/** Live while the scheduler runs and keeps firing; a wedged scheduler gets the process restarted. */
@Liveness
@ApplicationScoped
public class SchedulerHealth implements HealthCheck {
    static final Duration MAX_HEARTBEAT_AGE = Duration.ofSeconds(60);

    @Inject
    Scheduler scheduler;

    @Inject
    Heartbeat heartbeat;

    @Override
    public HealthCheckResponse call() {
        long age = Duration.between(heartbeat.last(), Instant.now()).toSeconds();
        boolean up = scheduler.isRunning() && age <= MAX_HEARTBEAT_AGE.toSeconds();
        return HealthCheckResponse.named("scheduler")
                .status(up)
                .withData("running", scheduler.isRunning())
                .withData("heartbeatAgeSeconds", age)
                .build();
    }
}
