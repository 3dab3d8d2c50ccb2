package io.impersonationprobe.target;

import io.impersonationprobe.config.Expectation;

import java.time.Duration;
import java.util.List;

/**
 * A group as the scheduler runs it: resolved targets, no optional parts.
 *
 * @param probes the probe kinds run for every target, such as {@code [ews]} or {@code [ews, graph]}
 */
public record TargetGroup(String name, String tenant, Expectation expect, Duration interval, List<Target> targets,
                          List<String> probes) {

    /** A group probed over EWS only, as every group is unless it asks for more. */
    public TargetGroup(String name, String tenant, Expectation expect, Duration interval, List<Target> targets) {
        this(name, tenant, expect, interval, targets, List.of("ews"));
    }
}
