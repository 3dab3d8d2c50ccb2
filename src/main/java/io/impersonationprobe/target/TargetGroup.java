package io.impersonationprobe.target;

import java.time.Duration;
import java.util.List;

/**
 * A group as the scheduler runs it: resolved targets, no optional parts.
 *
 * @param probes           the probe kinds run for every target, such as {@code [ews]} or {@code [ews, graph]}
 * @param perMailboxSeries whether the group publishes series per mailbox, as configured
 */
public record TargetGroup(String name, String tenant, Expectation expect, Duration interval, List<Target> targets,
                          List<ProbeKind> probes, PerMailboxSeries perMailboxSeries) {
}
