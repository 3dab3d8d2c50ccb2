package io.impersonationprobe.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A scrape of {@code /q/metrics} in the Prometheus text format, as Prometheus itself reads it. */
public final class Metrics {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]++|\\\\.)*+)\"");

    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final String text;
    private final List<Sample> samples;

    private Metrics(String text, List<Sample> samples) {
        this.text = text;
        this.samples = samples;
    }

    public static Metrics scrape(String baseUrl) throws IOException, InterruptedException {
        // HTTP/1.1 as Prometheus scrapes: the JDK client's default h2c upgrade breaks on large answers.
        HttpResponse<String> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create(baseUrl + "/q/metrics"))
                        .header("Accept", "text/plain; version=0.0.4").build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("metrics endpoint answered " + response.statusCode());
        }
        return parse(response.body());
    }

    public static Metrics parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException("not a sample line: " + line);
            }
            Map<String, String> labels = new TreeMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
        }
        return new Metrics(text, samples);
    }

    public String text() {
        return text;
    }

    /** Samples of a metric whose labels include all the given ones (pairs of name, value). */
    public List<Sample> find(String name, String... labelPairs) {
        List<Sample> found = new ArrayList<>();
        for (Sample sample : samples) {
            if (!sample.name().equals(name)) {
                continue;
            }
            boolean all = true;
            for (int i = 0; i < labelPairs.length; i += 2) {
                all &= labelPairs[i + 1].equals(sample.labels().get(labelPairs[i]));
            }
            if (all) {
                found.add(sample);
            }
        }
        return found;
    }

    /** The value of the one sample matching, or empty when there is none; fails when several match. */
    public OptionalDouble value(String name, String... labelPairs) {
        List<Sample> found = find(name, labelPairs);
        if (found.size() > 1) {
            throw new AssertionError(found.size() + " samples of " + name + " match " + List.of(labelPairs));
        }
        return found.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(found.get(0).value());
    }
}
