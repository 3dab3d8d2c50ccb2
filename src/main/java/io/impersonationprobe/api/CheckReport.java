package io.impersonationprobe.api;

import io.impersonationprobe.probe.Trace;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one live check found, step by step, ending in the verdict, its cause and the fix.
 *
 * @param expectSource where the expectation came from: {@code request}, {@code group <name>}, or {@code default}
 * @param success      whether the verdict met the expectation
 */
public record CheckReport(String id, String tenant, String mailbox, String probe, String expect, String expectSource,
                          Instant startedAt, long durationMillis, String verdict, String outcome, boolean success,
                          String cause, String remediation, List<StepView> steps) {

    public record StepView(String name, String status, long durationMillis, Map<String, Object> detail) {
        static StepView of(Trace.Step step) {
            return new StepView(step.name(), step.status().label(), step.duration().toMillis(), step.detail());
        }
    }
}
