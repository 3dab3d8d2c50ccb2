package io.impersonationprobe.api;

import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.probe.ProbeScheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the configuration is valid (otherwise the daemon does not start at all) and every group has finished
 * its first probe cycle, so that the metrics describe every target before anyone reads them.
 */
@Readiness
@ApplicationScoped
public class FirstProbeCycleReadiness implements HealthCheck {
    @Inject
    ValidatedConfig config;

    @Inject
    ProbeScheduler scheduler;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("first-probe-cycle")
                .withData("tenants", config.tenants().size())
                .withData("groups", config.groups().size());
        boolean allDone = true;
        for (var entry : scheduler.progress().entrySet()) {
            int cycles = entry.getValue().completedCycles();
            response.withData("group " + entry.getKey() + " cycles", cycles);
            allDone &= cycles > 0;
        }
        return response.status(allDone).build();
    }
}
