package io.impersonationprobe.target;

import io.impersonationprobe.config.Expectation;

import java.time.Duration;
import java.util.List;

/** A group as the scheduler runs it: resolved targets, no optional parts. */
public record TargetGroup(String name, String tenant, Expectation expect, Duration interval, List<Target> targets) {
}
