package io.impersonationprobe.probe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The steps of one live check, as the admin reads them: what was used, what was sent, what came back. Scheduled
 * probes pass {@link #OFF}, which records nothing. Details are facts for a person and never hold a secret.
 */
public class Trace {
    /** Records nothing: scheduled probes pay no cost for the trace. */
    public static final Trace OFF = new Trace() {
        @Override
        public void step(String name, StepStatus status, Duration duration, Map<String, Object> detail) {
        }

        @Override
        public boolean isOn() {
            return false;
        }
    };

    /** False for {@link #OFF}: callers skip building details (and parsing answers) that nobody reads. */
    public boolean isOn() {
        return true;
    }

    public enum StepStatus {
        OK, FAILED, WARNING, SKIPPED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One step; {@code detail} keeps its insertion order, values are strings, numbers, booleans or lists of them. */
    public record Step(String name, StepStatus status, Duration duration, Map<String, Object> detail) {
    }

    private final List<Step> steps = Collections.synchronizedList(new ArrayList<>());

    public void step(String name, StepStatus status, Duration duration, Map<String, Object> detail) {
        steps.add(new Step(name, status, duration, Collections.unmodifiableMap(new LinkedHashMap<>(detail))));
    }

    public List<Step> steps() {
        synchronized (steps) {
            return List.copyOf(steps);
        }
    }

    /** A detail map that keeps its order and drops null values, so absent facts are simply not shown. */
    public static Map<String, Object> detail(Object... keysAndValues) {
        Map<String, Object> detail = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                detail.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return detail;
    }
}
