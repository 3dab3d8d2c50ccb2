package io.impersonationprobe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Alertmanager (Debian's prometheus-alertmanager package) started as a process for integration tests, on a
 * free port of 127.0.0.1, without clustering (which would listen on a fixed port). Required in CI; elsewhere its tests
 * skip without it. Its log goes to a file beside its configuration.
 */
public final class AlertmanagerServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("msg=\"Listening on\" address=127\\.0\\.0\\.1:(\\d+)");
    private static final Duration STARTUP = Duration.ofSeconds(30);

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private AlertmanagerServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The binary on PATH; fails in CI and skips elsewhere when it is missing. */
    public static Path require() {
        return RequiredTool.find("apt-get install prometheus-alertmanager", "prometheus-alertmanager", "alertmanager");
    }

    /**
     * Starts it with the given configuration (written to {@code dir/alertmanager.yml}) and an empty {@code dir/data}
     * (its notification log would otherwise remember the last run's notifications and send none), and waits until it
     * is ready.
     */
    public static AlertmanagerServer start(Path dir, String config) throws IOException {
        Path binary = require();
        Files.createDirectories(dir);
        Path configFile = dir.resolve("alertmanager.yml");
        Files.writeString(configFile, config);
        Path data = dir.resolve("data");
        deleteRecursively(data);
        Path log = dir.resolve("alertmanager.log");
        Files.deleteIfExists(log);
        Process process = new ProcessBuilder(List.of(binary.toString(),
                "--config.file=" + configFile.toAbsolutePath(),
                "--storage.path=" + data.toAbsolutePath(),
                "--web.listen-address=127.0.0.1:0",
                "--cluster.listen-address="))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            int port = Await.result(STARTUP, "Alertmanager to say where it listens; see " + log, () -> {
                Matcher listening = LISTENING.matcher(read(log));
                if (listening.find()) {
                    return Optional.of(Integer.parseInt(listening.group(1)));
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException("alertmanager exited with " + process.exitValue() + "; see " + log);
                }
                return Optional.empty();
            });
            AlertmanagerServer server = new AlertmanagerServer(process, port, log);
            Await.until(STARTUP, "Alertmanager to be ready; see " + log, server::ready);
            return server;
        } catch (RuntimeException | AssertionError e) {
            Processes.stop(process);
            throw e;
        }
    }

    /** host:port, as Prometheus' alerting section names it. */
    public String authority() {
        return "127.0.0.1:" + port;
    }

    public Path log() {
        return log;
    }

    /** Every alert Alertmanager holds, with its status (active, suppressed) and what inhibits it (API v2). */
    public JsonNode alerts() throws IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create("http://" + authority() + "/api/v2/alerts"))
                .timeout(Duration.ofSeconds(5)).build());
        if (response.statusCode() != 200) {
            throw new IOException("Alertmanager answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException("alertmanager exited with " + process.exitValue() + "; see " + log);
        }
        try {
            return send(HttpRequest.newBuilder(URI.create("http://" + authority() + "/-/ready"))
                    .timeout(Duration.ofSeconds(2)).build()).statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var paths = Files.walk(path)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Override
    public void close() {
        Processes.stop(process);
    }
}
