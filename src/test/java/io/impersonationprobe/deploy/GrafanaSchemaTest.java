package io.impersonationprobe.deploy;

import io.impersonationprobe.testing.RequiredTool;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every shipped dashboard type-checks against Grafana's own dashboard schema (the npm package {@code @grafana/schema},
 * compiled with {@code tsc --noEmit}): no unknown property, none missing, every value of the right type. There is no
 * Grafana server to load them into here; this is the schema that server is built from. {@code .ci/run} installs the
 * packages ({@code npm ci --prefix src/test/grafana}).
 */
class GrafanaSchemaTest {
    static final Path PROJECT = Path.of("src", "test", "grafana").toAbsolutePath();
    static final Path WORK = Path.of("target", "grafana-schema").toAbsolutePath();

    private static Path node;
    private static Path tsc;

    @BeforeAll
    static void tools() {
        node = RequiredTool.find("Debian's nodejs, or any Node.js 18 or later", "node");
        tsc = PROJECT.resolve("node_modules/typescript/bin/tsc");
        if (!Files.exists(tsc) || !Files.isDirectory(PROJECT.resolve("node_modules/@grafana/schema"))) {
            String reason = "the schema packages are not installed (npm ci --prefix src/test/grafana)";
            if (System.getenv("CI") != null) {
                throw new AssertionError(reason + "; CI must install them");
            }
            System.out.println("SKIPPED: " + reason);
            Assumptions.abort(reason);
        }
    }

    @Test
    void everyDashboardMatchesGrafanasSchema() throws Exception {
        List<Path> dashboards;
        try (Stream<Path> files = Files.list(GrafanaDashboardsTest.DASHBOARDS)) {
            dashboards = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
        assertEquals(3, dashboards.size(), "the dashboards shipped");
        Check check = check("shipped", dashboards.stream().map(GrafanaSchemaTest::read).toList());
        assertEquals(0, check.exit(), "tsc found dashboards that Grafana's schema refuses:\n" + check.output());
    }

    /** The check can fail: a panel whose position is text and a refresh that is a number are refused. */
    @Test
    void aDashboardAgainstTheSchemaIsRefused() throws Exception {
        String dashboard = read(GrafanaDashboardsTest.DASHBOARDS.resolve("impersonation-latency.json"))
                .replaceFirst("\"h\": (\\d+)", "\"h\": \"$1\"").replaceFirst("\"refresh\": \"[^\"]*\"", "\"refresh\": 30");
        Check check = check("broken", List.of(dashboard));
        assertNotEquals(0, check.exit(), check.output());
        assertTrue(check.output().contains("error TS2322"), check.output());
    }

    private record Check(int exit, String output) {
    }

    /** Writes each dashboard as a TypeScript constant of the schema's type and compiles them. */
    private static Check check(String name, List<String> dashboards) throws IOException, InterruptedException {
        Path dir = WORK.resolve(name);
        Files.createDirectories(dir);
        List<String> files = new ArrayList<>();
        for (int i = 0; i < dashboards.size(); i++) {
            String file = "dashboard" + i + ".ts";
            Files.writeString(dir.resolve(file), "import type { Dashboard } from '@grafana/schema';\n"
                    + "import type { JsonOf } from '" + PROJECT.resolve("json-of") + "';\n"
                    + "export const dashboard: JsonOf<Dashboard> = " + dashboards.get(i) + ";\n");
            files.add("\"" + file + "\"");
        }
        Files.writeString(dir.resolve("tsconfig.json"), """
                {"compilerOptions": {"strict": true, "noEmit": true, "module": "esnext", "moduleResolution": "bundler",
                  "target": "es2022", "skipLibCheck": true, "typeRoots": [],
                  "baseUrl": ".", "paths": {"@grafana/schema": ["%s"]}},
                 "files": [%s]}
                """.formatted(PROJECT.resolve("node_modules/@grafana/schema"), String.join(", ", files)));
        Process process = new ProcessBuilder(node.toString(), tsc.toString(), "-p", dir.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "tsc finished");
        return new Check(process.exitValue(), output);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
