package io.impersonationprobe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Prometheus server (Debian's prometheus package) started as a process for integration tests, with its HTTP
 * API. Required in CI; elsewhere its tests skip without it. Its log goes to a file under {@code target/}.
 */
public final class PrometheusServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("msg=\"Listening on\" address=127\\.0\\.0\\.1:(\\d+)");
    private static final Duration STARTUP = Duration.ofSeconds(30);

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private PrometheusServer(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The prometheus binary on PATH; fails in CI and skips elsewhere when it is missing. */
    public static Path require() {
        return RequiredTool.find("apt-get install prometheus", "prometheus");
    }

    /**
     * Starts Prometheus with the given configuration (written to {@code dir/prometheus.yml}) and an empty database
     * in {@code dir/data}, listening on a free port of 127.0.0.1, and waits until it is ready.
     */
    public static PrometheusServer start(Path dir, String config) throws IOException {
        Path binary = require();
        Files.createDirectories(dir);
        Path configFile = dir.resolve("prometheus.yml");
        Files.writeString(configFile, config);
        Path data = dir.resolve("data");
        deleteRecursively(data);
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder(List.of(binary.toString(),
                "--config.file=" + configFile.toAbsolutePath(),
                "--storage.tsdb.path=" + data.toAbsolutePath(),
                "--web.listen-address=127.0.0.1:0"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            int port = Await.result(STARTUP, "Prometheus to say where it listens; see " + log, () -> {
                Matcher listening = LISTENING.matcher(read(log));
                if (listening.find()) {
                    return Optional.of(Integer.parseInt(listening.group(1)));
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException("prometheus exited with " + process.exitValue() + "; see " + log);
                }
                return Optional.empty();
            });
            PrometheusServer server = new PrometheusServer(process, port, log);
            server.awaitReady();
            return server;
        } catch (RuntimeException | AssertionError e) {
            Processes.stop(process);
            throw e;
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public Path log() {
        return log;
    }

    /** An instant query at the current time: the answer's {@code data}; fails on an error answer. */
    public JsonNode query(String expr) throws IOException {
        return get("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
    }

    /** A GET of the HTTP API: the answer's {@code data}; fails on an error answer. */
    public JsonNode get(String pathAndQuery) throws IOException {
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + pathAndQuery))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new QueryException(response.statusCode() + " " + body.path("errorType").asText() + ": "
                    + body.path("error").asText(response.body()));
        }
        return body.path("data");
    }

    /** Prometheus refused a query or request; the message is its error. */
    public static final class QueryException extends IOException {
        QueryException(String message) {
            super(message);
        }
    }

    private void awaitReady() {
        HttpRequest ready = HttpRequest.newBuilder(URI.create(baseUrl() + "/-/ready")).timeout(Duration.ofSeconds(2)).build();
        Await.until(STARTUP, "Prometheus to be ready; see " + log, () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("prometheus exited with " + process.exitValue() + "; see " + log);
            }
            try {
                return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        Processes.stop(process);
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
}
