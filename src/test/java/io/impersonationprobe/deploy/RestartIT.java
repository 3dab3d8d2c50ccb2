package io.impersonationprobe.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.testing.Await;
import io.impersonationprobe.testing.DaemonProcess;
import io.impersonationprobe.testing.Http;
import io.impersonationprobe.testing.SimulatorProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A restart loses nothing that matters: the simulated tenant runs in a process of its own and keeps its state, the
 * daemon keeps its state directory. A principal granted access while the daemon was down is found by its first poll
 * after the restart, as a SECURITY event marked with the window in which it happened, and the targets' history from
 * before the restart is still there.
 */
class RestartIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String API_KEY = "demo-only-key-not-for-production";
    static final String TARGET = "sales-and-support/alex.wilber@contoso.com";
    static final Pattern ACCESS_READ = Pattern.compile("role assignment\\(s\\) grant mailbox access");

    @Test
    void aGrantMadeWhileTheDaemonWasDownIsSeenAfterItsRestart(@TempDir Path work) throws Exception {
        Path state = work.resolve("state");
        try (SimulatorProcess simulator = SimulatorProcess.start("restart-simulator",
                Map.of("simulator.propagation-delay", "0s"))) {
            Map<String, String> daemon = new HashMap<>(Map.of("quarkus.profile", "demo", "simulator.enabled", "false",
                    "simulator.port", String.valueOf(simulator.port()),
                    "simulator.ldap-port", String.valueOf(simulator.ldapPort()),
                    "impersonation.state.directory", state.toString(),
                    "impersonation.tenants.contoso.control-plane.interval", "5s"));

            int historyBefore;
            Instant lastSeenBefore;
            try (DaemonProcess before = DaemonProcess.start("restart-before", daemon)) {
                before.awaitReady(Duration.ofSeconds(60));
                before.awaitLog(ACCESS_READ, Duration.ofSeconds(30));
                historyBefore = history(before).size();
                assertTrue(historyBefore >= 1, "the target was probed before the restart");
                lastSeenBefore = Instant.now();
            }
            // The demo's on-premises tenant fabrikam keeps its results and its directory's snapshot too.
            assertEquals(List.of("control-plane-contoso.json.gz", "control-plane-fabrikam.json.gz", "results-contoso.json.gz",
                    "results-fabrikam.json.gz"),
                    files(state));
            for (String file : files(state)) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve(file))),
                        file + " is the daemon user's only");
            }

            // While the daemon is down: a new principal gets an organisation-wide grant.
            assertEquals(201, Http.send("POST", simulator.baseUrl() + "/control/apps",
                    "{\"appId\":\"0badc0de-0000-4000-8000-00000000b0b0\",\"displayName\":\"Backup tool\"}").statusCode());
            assertEquals(201, Http.send("POST", simulator.baseUrl() + "/control/role-assignments",
                    "{\"name\":\"Backup grant\",\"role\":\"Application EWS.AccessAsApp\","
                            + "\"app\":\"0badc0de-0000-4000-8000-00000000b0b0\"}").statusCode());

            try (DaemonProcess after = DaemonProcess.start("restart-after", daemon)) {
                List<JsonNode> history = history(after);
                assertTrue(history.size() >= historyBefore, "the history from before the restart is back: " + history);
                Instant started = Instant.now();
                JsonNode event = Await.result(Duration.ofSeconds(30), "the first poll after the restart to find the grant",
                        () -> events(after).stream().filter(e -> e.path("type").asText().equals("principal_gained_access"))
                                .findFirst());
                Instant since = Instant.parse(event.path("since").asText());
                assertTrue(!since.isAfter(lastSeenBefore), "the window starts when the daemon last read the tenant: "
                        + since + " vs " + lastSeenBefore);
                assertTrue(event.path("description").asText().contains("changed while the daemon was down, between "),
                        event.toString());
                assertTrue(event.path("securityRelevant").asBoolean(), event.toString());
                String log = Files.readString(after.log());
                assertTrue(log.contains("control plane restored from the state saved"), log);
                assertTrue(log.matches("(?s).*WARN .*SECURITY PRINCIPAL_GAINED_ACCESS: .*0badc0de-0000-4000-8000-00000000b0b0"
                        + ".*changed while the daemon was down.*"), log);
                assertTrue(history.stream().anyMatch(r -> Instant.parse(r.path("startedAt").asText()).isBefore(started)),
                        "results from the run before");
            }

            // A state file that cannot be read is set aside; the daemon starts without it.
            Files.writeString(state.resolve("results-contoso.json.gz"), "not gzip");
            try (DaemonProcess corrupt = DaemonProcess.start("restart-corrupt", daemon)) {
                corrupt.awaitLog(Pattern.compile("State file .*results-contoso.json.gz was set aside"),
                        Duration.ofSeconds(30));
                corrupt.awaitReady(Duration.ofSeconds(60));
                assertTrue(files(state).stream().anyMatch(f -> f.startsWith("results-contoso.json.gz.unreadable-")),
                        files(state).toString());
            }
        }
    }

    private static List<String> files(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(f -> f.getFileName().toString()).filter(f -> !f.startsWith(".")).sorted().toList();
        }
    }

    private static List<JsonNode> history(DaemonProcess daemon) throws Exception {
        JsonNode target = api(daemon, "/api/v1/targets/" + TARGET);
        return target.path("history").isArray() ? List.copyOf(JSON.convertValue(target.path("history"),
                JSON.getTypeFactory().constructCollectionType(List.class, JsonNode.class))) : List.of();
    }

    private static List<JsonNode> events(DaemonProcess daemon) {
        try {
            JsonNode tenant = api(daemon, "/api/v1/tenants/contoso");
            return JSON.convertValue(tenant.path("events"),
                    JSON.getTypeFactory().constructCollectionType(List.class, JsonNode.class));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode api(DaemonProcess daemon, String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(daemon.baseUrl() + path))
                .header("X-API-Key", API_KEY).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path + ": " + response.body());
        return JSON.readTree(response.body());
    }
}
