package io.impersonationprobe.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged daemon ({@code target/quarkus-app/quarkus-run.jar}) started as a real process, for integration tests
 * that need more than one daemon or an outside server (Prometheus) scraping it. It listens on a free port, which its
 * startup log names. Output goes to a log file under {@code target/} so a failure can be read afterwards.
 */
public final class DaemonProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("started in [0-9.]+s\\. Listening on: https?://[^:\\s]+:(\\d+)");
    private static final Duration STARTUP = Duration.ofSeconds(60);

    private final Process process;
    private final Path log;
    private int httpPort;

    private DaemonProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts the daemon with the given system properties (for example {@code quarkus.profile=demo},
     * {@code simulator.port}) and waits until {@code /q/health/live} answers.
     */
    public static DaemonProcess start(String name, Map<String, String> properties) throws IOException {
        return start(name, properties, Map.of());
    }

    /** As {@link #start(String, Map)}, with environment variables added to this JVM's (such as {@code HOSTNAME}). */
    public static DaemonProcess start(String name, Map<String, String> properties, Map<String, String> environment)
            throws IOException {
        return start(name, properties, environment, jar(), null);
    }

    /**
     * Starts a given jar from a given working directory (where Quarkus looks for {@code config/application.properties}),
     * for example a copy of the layout a container image holds.
     */
    public static DaemonProcess start(String name, Map<String, String> properties, Map<String, String> environment,
                                      Path jar, Path workingDirectory) throws IOException {
        return start(name, properties, environment, jar, workingDirectory, List.of("-Xmx256m"));
    }

    /**
     * As {@link #start(String, Map, Map, Path, Path)}, with the JVM's options (heap size, flight recorder) in place of
     * the default {@code -Xmx256m}.
     */
    public static DaemonProcess start(String name, Map<String, String> properties, Map<String, String> environment,
                                      Path jar, Path workingDirectory, List<String> jvmOptions) throws IOException {
        DaemonProcess daemon = launch(name, properties, environment, jar, workingDirectory, jvmOptions);
        daemon.httpPort = Integer.parseInt(daemon.awaitLog(LISTENING, STARTUP).group(1));
        daemon.awaitHealth("live", STARTUP);
        return daemon;
    }

    /** The packaged jar the build made, or the one {@code -Ddaemon.jar} names. */
    static Path jar() {
        return Path.of(System.getProperty("daemon.jar", "target/quarkus-app/quarkus-run.jar"));
    }

    /** Starts the jar on a free HTTP port ({@code quarkus.http.port=0}), without waiting for anything. */
    static DaemonProcess launch(String name, Map<String, String> properties, Map<String, String> environment,
                                Path jar, Path workingDirectory, List<String> jvmOptions) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("packaged daemon not found at " + jar + "; run ./mvnw verify");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dquarkus.http.port=0");
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
        return new DaemonProcess(builder.start(), log);
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

    /** Waits until {@code /q/health/ready} answers 200: every group has finished its first probe cycle. */
    public void awaitReady(Duration timeout) {
        awaitHealth("ready", timeout);
    }

    /** Waits for the first log line that matches; the process is stopped when it ends or the time runs out first. */
    public Matcher awaitLog(Pattern line, Duration timeout) {
        return stoppedOnFailure(() -> Await.result(timeout, "'" + line + "' in " + log, () -> {
            Matcher matcher = line.matcher(read(log));
            if (matcher.find()) {
                return Optional.of(matcher);
            }
            requireAlive();
            return Optional.empty();
        }));
    }

    private void awaitHealth(String check, Duration timeout) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/" + check))
                .timeout(Duration.ofSeconds(2)).build();
        stoppedOnFailure(() -> {
            Await.until(timeout, "the daemon to be " + check + "; see " + log, () -> {
                requireAlive();
                try {
                    return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (IOException notYet) {
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
            return null;
        });
    }

    /** True while the process runs; a hostile-server test asserts it after every cycle. */
    public boolean isAlive() {
        return process.isAlive();
    }

    private void requireAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("daemon exited with " + process.exitValue() + "; see " + log);
        }
    }

    private <T> T stoppedOnFailure(Supplier<T> wait) {
        try {
            return wait.get();
        } catch (RuntimeException | AssertionError e) {
            close();
            throw e;
        }
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
}
