package io.impersonationprobe.api;

import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.control.ControlPlanePoller;
import io.impersonationprobe.probe.ProbeScheduler;
import io.impersonationprobe.simulator.Simulator;
import io.impersonationprobe.testing.Await;
import io.impersonationprobe.testing.Daemon;
import io.impersonationprobe.testing.FreshDemo;
import io.impersonationprobe.testing.RequiredTool;
import io.impersonationprobe.testing.SimulatorResource;
import io.impersonationprobe.testing.SimulatorResource.InjectSimulator;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status page in a real browser: Debian's Chromium, headless, renders {@code /} against the demo tenant. The
 * rendered DOM must show the failing target (the demo's scope leak) with its remediation; screenshots for a laptop
 * and a phone go to {@code target/}.
 */
@QuarkusTest
@WithTestResource(value = SimulatorResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class StatusPageBrowserTest {
    @InjectSimulator
    Simulator simulator;

    @Inject
    ProbeScheduler scheduler;

    @Inject
    ControlPlanePoller poller;

    @Inject
    ValidatedConfig config;

    @BeforeEach
    void demoTenant() {
        FreshDemo.restore(simulator, scheduler, poller, config);
    }

    @Test
    void failingTargetAndItsFixAreVisible() throws Exception {
        Path chromium = chromium();
        String page = Daemon.url() + "/";
        // Both tenants' scope leaks: contoso's nestor.wilke and the on-premises fabrikam's victor.hale.
        Await.until(Duration.ofSeconds(30), "the scope leaks among the results", () -> RestAssured.given()
                .header("Authorization", "Bearer test-reader-key").queryParam("outcome", "scope_leak")
                .get("/api/v1/targets").then().extract().<Integer>path("total") == 2);
        String dom = chromium(chromium, "--dump-dom", page);
        // The test profile's failing targets: the demo's scope leak, the departed employee's missing mailbox and
        // fabrikam's scope leak.
        assertTrue(dom.contains("<h2 id=\"failing\">Failing targets (3)</h2>"), dom);
        String failing = java.util.Arrays.stream(dom.split("<tr class=\"failing-target\">")).skip(1)
                .map(row -> row.substring(0, row.indexOf("</tr>")))
                .filter(row -> row.contains("nestor.wilke@contoso.com")).findFirst()
                .orElseThrow(() -> new AssertionError("no failing-target row for the leak: " + dom));
        assertTrue(failing.contains("nestor.wilke@contoso.com"), failing);
        assertTrue(failing.contains("scope_leak"), failing);
        assertTrue(failing.contains("Fix:</strong> Find what grants it"), failing);
        // Its last results as a strip of squares, oldest first, each titled with its time and outcome.
        assertTrue(failing.matches("(?s).*<ol class=\"strip\"[^>]*>(<li class=\"bad\" title=\"[^\"]+: scope_leak\">"
                + "scope_leak</li>)+</ol>.*"), failing);
        // The live check for it, exactly as the reader would paste it: it runs.
        String command = unescape(between(failing, "<code class=\"check-command\">", "</code>"));
        assertTrue(command.contains("-X POST '" + page + "api/v1/checks' -d "
                + "'{\"tenant\":\"contoso\",\"mailbox\":\"nestor.wilke@contoso.com\",\"probe\":\"ews\"}'"), command);
        String report = shell(command, "test-statuspage-key");
        assertTrue(report.startsWith("Live check of nestor.wilke@contoso.com in tenant contoso (ews, expect deny"),
                report);
        assertTrue(dom.contains("Sales and Support") || dom.contains("IsDehydrated"), "tenant state shown");
        assertTrue(dom.contains("href=\"/q/metrics\"") && dom.contains("href=\"/q/swagger-ui\""), "links shown");

        for (String[] shot : List.of(new String[]{"status-page.png", "1280,1400"}, new String[]{"status-page-phone.png", "390,2400"})) {
            Path file = Path.of("target", shot[0]).toAbsolutePath();
            Files.deleteIfExists(file);
            chromium(chromium, "--screenshot=" + file, "--window-size=" + shot[1], "--hide-scrollbars", page);
            assertTrue(Files.size(file) > 10_000, "screenshot " + file + " has content");
            byte[] png = Files.readAllBytes(file);
            assertEquals((byte) 0x89, png[0]);
            assertEquals('P', png[1]);
            System.out.println("Screenshot: " + file);
        }
    }

    private static String between(String text, String start, String end) {
        int from = text.indexOf(start);
        assertTrue(from >= 0, "no " + start + " in " + text);
        from += start.length();
        return text.substring(from, text.indexOf(end, from));
    }

    /** Text as Chromium serialises it: only these are escaped in a text node. */
    private static String unescape(String html) {
        return html.replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", " ").replace("&amp;", "&");
    }

    /** Runs a command line with sh, with KEY set as a reader of the page would; its standard output. */
    private static String shell(String command, String key) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true);
        builder.environment().put("KEY", key);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the command finished");
        assertEquals(0, process.exitValue(), command + ": " + out);
        return out;
    }

    static Path chromium() {
        return RequiredTool.find("apt-get install chromium", "chromium", "chromium-browser");
    }

    static String chromium(Path chromium, String... args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chromium-profile");
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        Path stderr = Files.createTempFile("chromium", ".log");
        Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not finish in 60 s");
        }
        assertEquals(0, process.exitValue(), "chromium failed: " + Files.readString(stderr));
        return out;
    }
}
