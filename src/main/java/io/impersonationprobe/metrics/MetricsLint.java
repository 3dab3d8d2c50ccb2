package io.impersonationprobe.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.Set;

/**
 * Keeps {@code /q/metrics} clean under {@code promtool check metrics}: runtime meters registered by libraries
 * without a description get one, and three that cannot pass are dropped: {@code process.cpu.time} is in
 * nanoseconds, {@code system.cpu.count} ends in {@code _count} (the CPU usage gauges carry the same information),
 * and the long-task timer {@code http.server.connections} is written without help text for its samples.
 */
@Singleton
public class MetricsLint {
    private static final Set<String> DROPPED = Set.of("process.cpu.time", "system.cpu.count", "http.server.connections");

    @Produces
    @Singleton
    MeterFilter dropMisnamedMeters() {
        return MeterFilter.deny(id -> DROPPED.contains(id.getName()));
    }

    @Produces
    @Singleton
    MeterFilter describeUndescribedMeters() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (id.getDescription() != null && !id.getDescription().isBlank()) {
                    return id;
                }
                return new Meter.Id(id.getName(), Tags.of(id.getTags()), id.getBaseUnit(),
                        "Runtime metric " + id.getName() + " (no description from its library)", id.getType());
            }
        };
    }
}
