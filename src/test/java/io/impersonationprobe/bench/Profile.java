package io.impersonationprobe.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the daemon's CPU goes, from a flight recording's execution samples ({@code jdk.ExecutionSample}, Java code
 * only): the top frames by self time, and for each owner (our code, ews-java-api, the HTTP client, XML, metrics) the
 * share of samples whose stack passes through it.
 */
final class Profile {
    /** Owners by package prefix; a sample counts for each owner anywhere on its stack. */
    private static final Map<String, String> OWNERS = new LinkedHashMap<>();

    static {
        OWNERS.put("microsoft.exchange.webservices.", "ews-java-api (request building, response parsing)");
        OWNERS.put("org.apache.http.", "Apache HttpClient 4 (used by ews-java-api)");
        OWNERS.put("com.sun.org.apache.xerces.", "JDK XML parser (Xerces)");
        OWNERS.put("com.sun.xml.internal.stream.", "JDK XML streams (StAX)");
        OWNERS.put("io.impersonationprobe.ews.", "ours: EWS probe, classifier, capture");
        OWNERS.put("io.impersonationprobe.probe.", "ours: scheduler, result store");
        OWNERS.put("io.impersonationprobe.metrics.", "ours: metrics");
        OWNERS.put("io.micrometer.", "Micrometer");
        OWNERS.put("org.jboss.logmanager.", "logging");
        OWNERS.put("sun.nio.", "JDK socket I/O");
        OWNERS.put("java.net.", "JDK networking");
    }

    private Profile() {
    }

    static void print(Path recording) throws IOException {
        List<RecordedEvent> events = RecordingFile.readAllEvents(recording);
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> owners = new LinkedHashMap<>();
        Map<String, Integer> nearest = new HashMap<>();
        int samples = 0;
        for (RecordedEvent event : events) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = event.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            samples++;
            self.merge(name(frames.get(0)), 1, Integer::sum);
            // The nearest frame that is not the JDK's: which library or which of our methods spent the time.
            for (RecordedFrame frame : frames) {
                String type = frame.getMethod().getType().getName();
                if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.")
                        && !type.startsWith("com.sun.")) {
                    nearest.merge(name(frame), 1, Integer::sum);
                    break;
                }
            }
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (RecordedFrame frame : frames) {
                String type = frame.getMethod().getType().getName();
                OWNERS.forEach((prefix, owner) -> {
                    if (type.startsWith(prefix) && seen.add(owner)) {
                        owners.merge(owner, 1, Integer::sum);
                    }
                });
            }
        }
        System.out.printf(Locale.ROOT, "Profile of the daemon (%s): %d execution samples%n", recording.getFileName(), samples);
        System.out.println("  Share of samples whose stack passes through:");
        int total = samples;
        owners.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> System.out.printf(Locale.ROOT, "    %5.1f %%  %s%n", 100.0 * e.getValue() / total, e.getKey()));
        top("  Top frames by self time:", self, total);
        top("  Top methods outside the JDK by self time (the JDK's time charged to the caller):", nearest, total);
    }

    private static void top(String title, Map<String, Integer> counts, int total) {
        System.out.println(title);
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(20)
                .forEach(e -> System.out.printf(Locale.ROOT, "    %5.1f %%  %s%n", 100.0 * e.getValue() / total, e.getKey()));
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }
}
