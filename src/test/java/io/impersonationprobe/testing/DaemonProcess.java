package io.impersonationprobe.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The packaged daemon ({@code target/quarkus-app/quarkus-run.jar}) started as a real process, for integration tests
 * that need more than one daemon or an outside server (Prometheus) scraping it. Output goes to a log file under
 * {@code target/} so a failure can be read afterwards.
 */
public final class DaemonProcess implements AutoCloseable {
    private final Process process;
    private final int httpPort;
    private final Path log;

    private DaemonProcess(Process process, int httpPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.log = log;
    }

    /**
     * Starts the daemon with the given system properties (for example {@code quarkus.profile=demo},
     * {@code simulator.port}) and waits until {@code /q/health/live} answers.
     */
    public static DaemonProcess start(String name, int httpPort, Map<String, String> properties) throws IOException {
        return start(name, httpPort, properties, Map.of());
    }

    /** As {@link #start(String, int, Map)}, with environment variables added to this JVM's (such as {@code HOSTNAME}). */
    public static DaemonProcess start(String name, int httpPort, Map<String, String> properties,
                                      Map<String, String> environment) throws IOException {
        Path jar = Path.of(System.getProperty("daemon.jar", "target/quarkus-app/quarkus-run.jar"));
        return start(name, httpPort, properties, environment, jar, null);
    }

    /**
     * Starts a given jar from a given working directory (where Quarkus looks for {@code config/application.properties}),
     * for example a copy of the layout a container image holds.
     */
    public static DaemonProcess start(String name, int httpPort, Map<String, String> properties,
                                      Map<String, String> environment, Path jar, Path workingDirectory) throws IOException {
        return start(name, httpPort, properties, environment, jar, workingDirectory, List.of("-Xmx256m"));
    }

    /**
     * As {@link #start(String, int, Map, Map, Path, Path)}, with the JVM's options (heap size, flight recorder) in
     * place of the default {@code -Xmx256m}.
     */
    public static DaemonProcess start(String name, int httpPort, Map<String, String> properties,
                                      Map<String, String> environment, Path jar, Path workingDirectory,
                                      List<String> jvmOptions) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("packaged daemon not found at " + jar + "; run ./mvnw verify");
        }
        // A daemon left over on the port would answer the liveness check in place of this one.
        try {
            new ServerSocket(httpPort).close();
        } catch (IOException e) {
            throw new IllegalStateException("port " + httpPort + " is already in use", e);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dquarkus.http.port=" + httpPort);
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        Path log = Path.of("target", "daemon-" + name + ".log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        if (workingDirectory != null) {
            builder.directory(workingDirectory.toFile());
        }
        Process process = builder.start();
        DaemonProcess daemon = new DaemonProcess(process, httpPort, log);
        daemon.awaitLive(Duration.ofSeconds(60));
        return daemon;
    }

    /** The daemon's process, for reading its CPU time or attaching tools to it. */
    public long pid() {
        return process.pid();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public Path log() {
        return log;
    }

    private void awaitLive(Duration timeout) throws IOException {
        awaitHealth("live", timeout);
    }

    /** Waits until {@code /q/health/ready} answers 200: every group has finished its first probe cycle. */
    public void awaitReady(Duration timeout) throws IOException {
        awaitHealth("ready", timeout);
    }

    private void awaitHealth(String check, Duration timeout) throws IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("daemon exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<Void> response = client.send(
                        HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/" + check))
                                .timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        close();
        throw new IllegalStateException("daemon not " + check + " within " + timeout + "; see " + log);
    }

    @Override
    public void close() {
        Processes.stop(process);
    }
}
