package io.impersonationprobe.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The Prometheus Operator manifest carries exactly the rules that Prometheus loads from the rules file. */
class PrometheusRuleManifestTest {
    static final Path MANIFEST = Path.of("deploy/kubernetes/prometheusrule.yaml");

    @Test
    void manifestGroupsAreTheRulesFileGroups() throws Exception {
        JsonNode manifest = PrometheusRulesTest.YAML.readTree(MANIFEST.toFile());
        assertEquals("monitoring.coreos.com/v1", manifest.path("apiVersion").asText());
        assertEquals("PrometheusRule", manifest.path("kind").asText());
        assertEquals("impersonation-probe", manifest.path("metadata").path("name").asText());
        JsonNode rulesFile = PrometheusRulesTest.YAML.readTree(PrometheusRulesTest.RULES.toFile());
        assertEquals(1, rulesFile.size(), "the rules file holds only groups");
        // Parsed trees, so that indentation and comments may differ but no rule, label or annotation. Rule by rule
        // first, so that a failure names the rule that differs.
        JsonNode expected = rulesFile.path("groups");
        JsonNode actual = manifest.path("spec").path("groups");
        assertEquals(names(expected), names(actual), "group names");
        for (int g = 0; g < expected.size(); g++) {
            JsonNode expectedGroup = expected.get(g);
            JsonNode actualGroup = actual.get(g);
            assertEquals(expectedGroup.path("rules").size(), actualGroup.path("rules").size(),
                    "rules in group " + expectedGroup.path("name").asText());
            for (int r = 0; r < expectedGroup.path("rules").size(); r++) {
                JsonNode rule = expectedGroup.path("rules").get(r);
                assertEquals(rule, actualGroup.path("rules").get(r), "group " + expectedGroup.path("name").asText()
                        + ", rule " + r + " (" + rule.path("alert").asText(rule.path("record").asText()) + ")");
            }
        }
        assertEquals(expected, actual, MANIFEST + " spec.groups differs from " + PrometheusRulesTest.RULES);
    }

    private static List<String> names(JsonNode groups) {
        List<String> names = new ArrayList<>();
        groups.forEach(group -> names.add(group.path("name").asText()));
        return names;
    }
}
