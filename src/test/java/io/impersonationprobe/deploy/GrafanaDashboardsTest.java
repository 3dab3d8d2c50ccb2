package io.impersonationprobe.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboards' structure, without Grafana: stable uids, the data source and tenant/group variables, every panel
 * and query bound to the chosen data source and filtered by tenant, no overlapping panels, and recording rules that
 * exist. PrometheusDashboardsIT runs every query against real data.
 */
class GrafanaDashboardsTest {
    static final Path DASHBOARDS = Path.of("grafana", "dashboards");
    static final Path PROVISIONING = Path.of("grafana", "provisioning");
    static final String DATASOURCE_UID = "${datasource}";
    static final Pattern RECORDED = Pattern.compile("\\b[a-z_]+:[a-z_]+:[a-z0-9_]+\\b");
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void dashboardsHaveStableUidsAndTheProjectTag() throws IOException {
        List<String> files = new ArrayList<>();
        Set<String> uids = new HashSet<>();
        for (Path file : dashboardFiles()) {
            JsonNode dashboard = JSON.readTree(file.toFile());
            String name = file.getFileName().toString().replace(".json", "");
            files.add(name);
            assertEquals(name, dashboard.path("uid").asText(), file + ": uid is the file name, so that links last");
            assertTrue(uids.add(dashboard.path("uid").asText()));
            assertEquals(39, dashboard.path("schemaVersion").asInt(), file.toString());
            assertTrue(dashboard.path("title").asText().startsWith("impersonation-probe / "), file.toString());
            assertTrue(dashboard.path("tags").toString().contains("\"impersonation-probe\""), file.toString());
            assertTrue(dashboard.path("id").isMissingNode() || dashboard.path("id").isNull(),
                    file + ": no database id in a provisioned dashboard");
        }
        assertEquals(List.of("impersonation-control-plane", "impersonation-latency", "impersonation-overview"), files);
    }

    @Test
    void dataSourceTenantAndGroupAreVariables() throws IOException {
        for (Path file : dashboardFiles()) {
            JsonNode dashboard = JSON.readTree(file.toFile());
            JsonNode datasource = variable(dashboard, "datasource");
            assertEquals("datasource", datasource.path("type").asText(), file.toString());
            assertEquals("prometheus", datasource.path("query").asText(), file.toString());
            JsonNode tenant = variable(dashboard, "tenant");
            assertLabelValues(file, tenant, "tenant");
            if (dashboard.toString().contains("$group")) {
                JsonNode group = variable(dashboard, "group");
                assertLabelValues(file, group, "group");
                assertTrue(query(group).contains("tenant=~\"$tenant\""), file + ": groups of the chosen tenants");
            }
        }
    }

    @Test
    void everyPanelQueriesTheChosenDataSourceByTenant() throws IOException {
        for (Path file : dashboardFiles()) {
            JsonNode dashboard = JSON.readTree(file.toFile());
            Set<Integer> ids = new HashSet<>();
            for (JsonNode panel : dashboard.path("panels")) {
                assertTrue(ids.add(panel.path("id").asInt()), file + ": duplicate panel id " + panel.path("id"));
            }
            for (JsonNode panel : PrometheusDashboardsIT.panels(dashboard)) {
                String where = file + " / " + panel.path("title").asText();
                assertFalse(panel.path("title").asText().isBlank(), file + ": panel without title");
                assertFalse(panel.path("description").asText().isBlank(), where + ": no description");
                assertEquals(DATASOURCE_UID, panel.path("datasource").path("uid").asText(), where);
                assertFalse(panel.path("targets").isEmpty(), where + ": no query");
                Set<String> refIds = new HashSet<>();
                for (JsonNode target : panel.path("targets")) {
                    assertTrue(refIds.add(target.path("refId").asText()), where + ": duplicate refId");
                    assertEquals(DATASOURCE_UID, target.path("datasource").path("uid").asText(), where);
                    assertTrue(target.path("expr").asText().contains("tenant=~\"$tenant\""),
                            where + ": the query ignores the tenant variable");
                }
            }
        }
    }

    @Test
    void panelsFitTheGridWithoutOverlapping() throws IOException {
        for (Path file : dashboardFiles()) {
            List<int[]> boxes = new ArrayList<>();
            for (JsonNode panel : JSON.readTree(file.toFile()).path("panels")) {
                JsonNode grid = panel.path("gridPos");
                int[] box = {grid.path("x").asInt(), grid.path("y").asInt(), grid.path("w").asInt(), grid.path("h").asInt()};
                assertTrue(box[2] > 0 && box[3] > 0 && box[0] >= 0 && box[0] + box[2] <= 24,
                        file + " / " + panel.path("title").asText() + ": outside the 24-column grid");
                for (int[] other : boxes) {
                    boolean apart = box[0] >= other[0] + other[2] || other[0] >= box[0] + box[2]
                            || box[1] >= other[1] + other[3] || other[1] >= box[1] + box[3];
                    assertTrue(apart, file + " / " + panel.path("title").asText() + ": overlaps another panel");
                }
                boxes.add(box);
            }
        }
    }

    @Test
    void recordingRulesUsedByPanelsExist() throws IOException {
        Set<String> recorded = new TreeSet<>();
        for (JsonNode rule : PrometheusRulesTest.rules()) {
            if (rule.has("record")) {
                recorded.add(rule.path("record").asText());
            }
        }
        Set<String> used = new TreeSet<>();
        for (Path file : dashboardFiles()) {
            for (JsonNode panel : PrometheusDashboardsIT.panels(JSON.readTree(file.toFile()))) {
                for (JsonNode target : panel.path("targets")) {
                    Matcher m = RECORDED.matcher(target.path("expr").asText());
                    while (m.find()) {
                        used.add(m.group());
                    }
                }
            }
        }
        assertFalse(used.isEmpty(), "the dashboards use the recording rules");
        used.removeAll(recorded);
        assertEquals(Set.of(), used, "recording rules the dashboards use but the rules file does not define");
    }

    @Test
    void provisioningLoadsTheDashboardsFromFilesAndNamesAPrometheus() throws IOException {
        JsonNode dashboards = PrometheusRulesTest.YAML.readTree(
                PROVISIONING.resolve("dashboards/impersonation-probe.yml").toFile());
        assertEquals(1, dashboards.path("apiVersion").asInt());
        JsonNode provider = dashboards.path("providers").get(0);
        assertEquals("file", provider.path("type").asText());
        assertTrue(provider.path("options").path("path").asText().startsWith("/"), "an absolute path to load from");
        JsonNode datasources = PrometheusRulesTest.YAML.readTree(
                PROVISIONING.resolve("datasources/prometheus.yml").toFile());
        assertEquals("prometheus", datasources.path("datasources").get(0).path("type").asText());
    }

    private static void assertLabelValues(Path file, JsonNode variable, String label) {
        assertEquals("query", variable.path("type").asText(), file + " $" + label);
        assertTrue(query(variable).matches("label_values\\(impersonation_\\w+(\\{.*})?, " + label + "\\)"),
                file + " $" + label + ": " + query(variable));
        assertTrue(variable.path("multi").asBoolean() && variable.path("includeAll").asBoolean(),
                file + " $" + label + ": several values and All");
        assertEquals(".*", variable.path("allValue").asText(), file + " $" + label + ": All as a regex");
        assertEquals(DATASOURCE_UID, variable.path("datasource").path("uid").asText(), file + " $" + label);
    }

    private static String query(JsonNode variable) {
        return variable.path("query").path("query").asText();
    }

    private static JsonNode variable(JsonNode dashboard, String name) {
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (name.equals(variable.path("name").asText())) {
                return variable;
            }
        }
        throw new AssertionError(dashboard.path("title").asText() + ": no variable $" + name);
    }

    private static List<Path> dashboardFiles() throws IOException {
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
    }
}
