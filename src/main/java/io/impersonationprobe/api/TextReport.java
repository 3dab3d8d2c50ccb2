package io.impersonationprobe.api;

import java.util.Locale;
import java.util.Map;

/** A live check as a readable report for a terminal: one block per step, then the verdict and the fix. */
final class TextReport {
    private TextReport() {
    }

    static String render(CheckReport report) {
        StringBuilder out = new StringBuilder();
        out.append("Live check of ").append(report.mailbox()).append(" in tenant ").append(report.tenant())
                .append(" (").append(report.probe()).append(", expect ").append(report.expect()).append(" from ")
                .append(report.expectSource()).append(")\n");
        out.append("Started ").append(report.startedAt()).append(", took ").append(report.durationMillis())
                .append(" ms, id ").append(report.id()).append("\n\n");
        for (CheckReport.StepView step : report.steps()) {
            out.append(String.format(Locale.ROOT, "[%-7s] %-14s %6d ms%n", step.status().toUpperCase(Locale.ROOT),
                    step.name(), step.durationMillis()));
            for (Map.Entry<String, Object> fact : step.detail().entrySet()) {
                out.append(String.format(Locale.ROOT, "          %-26s %s%n", fact.getKey(), fact.getValue()));
            }
        }
        out.append('\n').append(report.success() ? "RESULT: OK" : "RESULT: FAILED").append(" - verdict ")
                .append(report.verdict()).append(", outcome ").append(report.outcome()).append(", expected ")
                .append(report.expect()).append('\n');
        out.append("Cause: ").append(report.cause()).append('\n');
        if (!report.success()) {
            out.append("Fix:   ").append(report.remediation()).append('\n');
        }
        return out.toString();
    }
}
