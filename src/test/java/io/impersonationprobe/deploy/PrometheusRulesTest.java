package io.impersonationprobe.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.impersonationprobe.testing.Promtool;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped alerting and recording rules: promtool accepts them without a lint finding, their unit tests pass, and
 * every alert is tested both firing and silent, follows the naming and annotation conventions and has a runbook
 * section.
 */
class PrometheusRulesTest {
    static final Path RULES = Path.of("deploy/prometheus/impersonation-probe.rules.yml");
    static final Path RULE_TESTS = Path.of("deploy/prometheus/tests");
    static final Path RUNBOOK = Path.of("deploy/RUNBOOK.md");
    static final Path PROMETHEUS_CONFIG = Path.of("deploy/prometheus/prometheus.yml");
    static final String RUNBOOK_URL = "https://github.com/impersonation-probe/impersonation-probe/blob/main/deploy/RUNBOOK.md#";
    static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");
    static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void promtoolChecksTheRulesWithoutFindings() throws Exception {
        Promtool.Result result = Promtool.run("", "check", "rules", "--lint=all", "--lint-fatal", RULES.toString());
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("SUCCESS: " + rules().size() + " rules found"), result.output());
        assertFalse(result.output().toLowerCase().contains("warn"), result.output());
    }

    @Test
    void promtoolUnitTestsPass() throws Exception {
        List<String> args = new ArrayList<>(List.of("test", "rules"));
        ruleTestFiles().forEach(file -> args.add(file.toString()));
        Promtool.Result result = Promtool.run("", args.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.output());
        assertFalse(result.output().contains("FAILED"), result.output());
        assertEquals(ruleTestFiles().size(), count(result.output(), "SUCCESS"), result.output());
    }

    @Test
    void prometheusConfigLoadsTheRules() throws Exception {
        JsonNode config = YAML.readTree(PROMETHEUS_CONFIG.toFile());
        List<String> ruleFiles = new ArrayList<>();
        config.path("rule_files").forEach(file -> ruleFiles.add(file.asText()));
        assertEquals(List.of(RULES.getFileName().toString()), ruleFiles);
        // promtool check config also loads and checks every rule file the configuration names.
        Promtool.Result result = Promtool.run("", "check", "config", PROMETHEUS_CONFIG.toString());
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("SUCCESS: " + rules().size() + " rules found"), result.output());
    }

    @Test
    void everyAlertIsTestedFiringAndSilent() throws IOException {
        Map<String, int[]> cases = new TreeMap<>();
        for (JsonNode test : alertRuleTests()) {
            int[] firingAndSilent = cases.computeIfAbsent(test.path("alertname").asText(), name -> new int[2]);
            firingAndSilent[test.path("exp_alerts").isEmpty() ? 1 : 0]++;
        }
        Set<String> alerts = alertNames();
        for (String alert : alerts) {
            int[] firingAndSilent = cases.getOrDefault(alert, new int[2]);
            assertTrue(firingAndSilent[0] > 0, alert + " has no test case in which it fires");
            assertTrue(firingAndSilent[1] > 0, alert + " has no test case in which it stays silent");
        }
        // promtool passes a silent case for a name no rule has: a misspelt name would test nothing.
        Set<String> unknown = new TreeSet<>(cases.keySet());
        unknown.removeAll(alerts);
        assertEquals(Set.of(), unknown, "test cases for alerts that do not exist");
    }

    @Test
    void everyRecordingRuleIsTested() throws IOException {
        Set<String> tested = new TreeSet<>();
        for (JsonNode file : ruleTestDocuments()) {
            for (JsonNode test : file.path("tests")) {
                test.path("promql_expr_test").forEach(expr -> tested.add(expr.path("expr").asText().strip()));
            }
        }
        for (JsonNode rule : rules()) {
            if (rule.has("record")) {
                assertTrue(tested.contains(rule.path("record").asText()),
                        "recording rule " + rule.path("record").asText() + " has no promql_expr_test");
            }
        }
    }

    @Test
    void everyExpectedAlertAssertsItsLabelsAndAnnotations() throws IOException {
        for (JsonNode test : alertRuleTests()) {
            for (JsonNode expected : test.path("exp_alerts")) {
                String where = test.path("alertname").asText() + " at " + test.path("eval_time").asText();
                assertTrue(SEVERITIES.contains(expected.path("exp_labels").path("severity").asText()),
                        where + ": exp_labels must assert the severity");
                assertEquals(Set.of("summary", "description", "runbook_url"),
                        fieldNames(expected.path("exp_annotations")), where + ": exp_annotations must assert all three");
            }
        }
    }

    @Test
    void everyAlertFollowsTheConventions() throws IOException {
        Set<String> sections = runbookSections();
        for (JsonNode rule : rules()) {
            if (!rule.has("alert")) {
                continue;
            }
            String name = rule.path("alert").asText();
            assertTrue(name.matches("ImpersonationProbe[A-Z][A-Za-z]+"), name + ": one prefix, CamelCase");
            assertTrue(SEVERITIES.contains(rule.path("labels").path("severity").asText()), name + ": severity label");
            assertEquals(Set.of("summary", "description", "runbook_url"), fieldNames(rule.path("annotations")), name);
            String anchor = name.toLowerCase();
            assertEquals(RUNBOOK_URL + anchor, rule.path("annotations").path("runbook_url").asText(), name);
            assertTrue(sections.contains(anchor), name + ": no section '## " + name + "' in " + RUNBOOK);
        }
    }

    @Test
    void everyRunbookSectionBelongsToAnAlert() throws IOException {
        Set<String> anchors = new TreeSet<>();
        alertNames().forEach(name -> anchors.add(name.toLowerCase()));
        assertEquals(anchors, runbookSections());
    }

    /** Every rule of every group. */
    static List<JsonNode> rules() throws IOException {
        List<JsonNode> rules = new ArrayList<>();
        YAML.readTree(RULES.toFile()).path("groups").forEach(group -> group.path("rules").forEach(rules::add));
        return rules;
    }

    static Set<String> alertNames() throws IOException {
        Set<String> names = new TreeSet<>();
        for (JsonNode rule : rules()) {
            if (rule.has("alert")) {
                names.add(rule.path("alert").asText());
            }
        }
        return names;
    }

    private static List<Path> ruleTestFiles() throws IOException {
        try (Stream<Path> files = Files.list(RULE_TESTS)) {
            return files.filter(file -> file.toString().endsWith(".yml")).sorted().toList();
        }
    }

    private static List<JsonNode> ruleTestDocuments() throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        for (Path file : ruleTestFiles()) {
            JsonNode document = YAML.readTree(file.toFile());
            List<String> ruleFiles = new ArrayList<>();
            document.path("rule_files").forEach(ruleFile -> ruleFiles.add(ruleFile.asText()));
            assertEquals(List.of("../" + RULES.getFileName()), ruleFiles, file + " must test the shipped rules file");
            documents.add(document);
        }
        return documents;
    }

    private static List<JsonNode> alertRuleTests() throws IOException {
        List<JsonNode> tests = new ArrayList<>();
        for (JsonNode document : ruleTestDocuments()) {
            document.path("tests").forEach(test -> test.path("alert_rule_test").forEach(tests::add));
        }
        return tests;
    }

    /** The anchors GitHub gives the runbook's second-level headings. */
    private static Set<String> runbookSections() throws IOException {
        Set<String> anchors = new TreeSet<>();
        Matcher heading = Pattern.compile("(?m)^## (.+)$").matcher(Files.readString(RUNBOOK));
        while (heading.find()) {
            anchors.add(heading.group(1).strip().toLowerCase().replaceAll("[^a-z0-9 -]", "").replace(' ', '-'));
        }
        return anchors;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static int count(String text, String word) {
        return text.split(Pattern.quote(word), -1).length - 1;
    }
}
