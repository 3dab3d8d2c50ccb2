package io.impersonationprobe.target;

import io.impersonationprobe.config.Expectation;
import io.impersonationprobe.config.PerMailboxSeries;

import java.time.Duration;
import java.util.List;

/**
 * A group as the scheduler runs it: resolved targets, no optional parts.
 *
 * @param perMailboxSeries whether the group publishes series per mailbox, as configured
 */
public record TargetGroup(String name, String tenant, Expectation expect, Duration interval, List<Target> targets,
                          PerMailboxSeries perMailboxSeries) {

    /** A group with the default, {@code auto}, for series per mailbox. */
    public TargetGroup(String name, String tenant, Expectation expect, Duration interval, List<Target> targets) {
        this(name, tenant, expect, interval, targets, PerMailboxSeries.AUTO);
    }
}
