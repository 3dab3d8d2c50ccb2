package io.impersonationprobe.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.impersonationprobe.testing.RequiredTool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped Alertmanager configuration as Alertmanager's own tool reads it: valid, every alert of the rules routed by
 * its severity, and every inhibition naming alerts that exist. AlertDeliveryIT sends real alerts through it.
 */
class AlertmanagerConfigTest {
    static final Path CONFIG = Path.of("deploy/prometheus/alertmanager.yml");
    static final Map<String, String> RECEIVER_BY_SEVERITY = Map.of("critical", "oncall-page", "warning", "ops-ticket",
            "info", "ops-chat");
    private static final List<String> SEVERITY_ORDER = List.of("critical", "warning", "info");
    private static final Pattern ALERT_NAME = Pattern.compile("alertname=~?\"([^\"]+)\"");

    private static Path amtool;

    @BeforeAll
    static void tool() {
        amtool = RequiredTool.find("Debian's prometheus-alertmanager package", "amtool");
    }

    @Test
    void amtoolAcceptsTheConfiguration() throws Exception {
        String output = amtool("check-config", CONFIG.toString());
        assertTrue(output.contains("SUCCESS"), output);
    }

    @Test
    void everyAlertIsRoutedByItsSeverity() throws Exception {
        Map<String, String> severities = alerts();
        for (Map.Entry<String, String> alert : severities.entrySet()) {
            String receiver = amtool("config", "routes", "test", "--config.file=" + CONFIG, "alertname=" + alert.getKey(),
                    "severity=" + alert.getValue(), "tenant=contoso", "group=sales", "probe=ews").lines()
                    .filter(l -> !l.startsWith("Warning:")).findFirst().orElse("").strip();
            assertEquals(RECEIVER_BY_SEVERITY.get(alert.getValue()), receiver, alert.getKey());
        }
        assertTrue(severities.containsValue("critical") && severities.containsValue("warning"), severities.toString());
    }

    @Test
    void inhibitionsNameAlertsThatExist() throws IOException {
        Set<String> names = alerts().keySet();
        List<String> unknown = new ArrayList<>();
        int named = 0;
        for (JsonNode rule : PrometheusRulesTest.YAML.readTree(CONFIG.toFile()).path("inhibit_rules")) {
            List<String> matchers = new ArrayList<>();
            rule.path("source_matchers").forEach(m -> matchers.add(m.asText()));
            rule.path("target_matchers").forEach(m -> matchers.add(m.asText()));
            for (String matcher : matchers) {
                Matcher m = ALERT_NAME.matcher(matcher);
                if (!m.find()) {
                    continue;
                }
                Pattern pattern = Pattern.compile(m.group(1));
                // Each alternative of the regular expression must name an alert (a typo would inhibit nothing).
                for (String alternative : alternatives(m.group(1))) {
                    named++;
                    if (!names.contains(alternative)) {
                        unknown.add(alternative);
                    }
                }
                assertTrue(names.stream().anyMatch(n -> pattern.matcher(n).matches()), matcher);
            }
        }
        assertEquals(List.of(), unknown, "inhibitions naming no alert of the rules");
        assertTrue(named >= 10, "the inhibitions name the alerts they act on: " + named);
    }

    /** {@code Prefix(A|B)} gives PrefixA and PrefixB; a plain name gives itself. */
    private static List<String> alternatives(String regex) {
        Matcher group = Pattern.compile("^([A-Za-z]*)\\(([A-Za-z|]+)\\)([A-Za-z]*)$").matcher(regex);
        if (!group.matches()) {
            return List.of(regex);
        }
        List<String> all = new ArrayList<>();
        for (String middle : group.group(2).split("\\|")) {
            all.add(group.group(1) + middle + group.group(3));
        }
        return all;
    }

    /** Every alert of the rules, by name, with its severity (an alert defined twice at two severities: the highest). */
    static Map<String, String> alerts() throws IOException {
        Map<String, String> alerts = new LinkedHashMap<>();
        for (JsonNode group : PrometheusRulesTest.YAML.readTree(PrometheusRulesTest.RULES.toFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.has("alert")) {
                    String severity = rule.path("labels").path("severity").asText();
                    alerts.merge(rule.path("alert").asText(), severity,
                            (a, b) -> SEVERITY_ORDER.indexOf(a) <= SEVERITY_ORDER.indexOf(b) ? a : b);
                }
            }
        }
        return alerts;
    }

    private static String amtool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(amtool.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "amtool finished");
        assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + output);
        return output;
    }
}
