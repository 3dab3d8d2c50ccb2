package io.impersonationprobe.deploy;

import io.impersonationprobe.simulator.Simulator;
import io.impersonationprobe.simulator.SimulatorOptions;
import io.impersonationprobe.testing.DaemonProcess;
import io.impersonationprobe.testing.Metrics;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without a container engine, the next best thing: after packaging, lay out the files exactly as the Containerfile's
 * COPY instructions would, start the daemon from the image's working directory as run-java.sh does, and check that
 * it runs from those files alone and reads {@code config/application.properties} there, where the Kubernetes
 * manifests mount the ConfigMap.
 */
class ContainerImageIT {

    @Test
    void theCopiedLayoutRunsAndReadsItsConfigDirectory() throws Exception {
        Containerfile file = Containerfile.read();
        Path root = Path.of("target", "container-root").toAbsolutePath();
        deleteTree(root);
        for (Containerfile.Copy copy : file.copies()) {
            for (String source : copy.sources()) {
                List<Path> matched = glob(source);
                assertFalse(matched.isEmpty(), "COPY source " + source + " exists after packaging");
                Path destination = root.resolve(copy.destination().substring(1));
                for (Path path : matched) {
                    copyInto(path, source.endsWith("/") ? destination : destination.resolve(path.getFileName()));
                }
            }
        }
        Path workdir = root.resolve(file.workdir().substring(1));
        Path jar = root.resolve(file.environment().get("JAVA_APP_JAR").substring(1));
        assertTrue(Files.isRegularFile(jar), "JAVA_APP_JAR is among the copied files");

        // Only this file says where the simulated tenant is (in this JVM, on a free port) and that the daemon must
        // not run one of its own: its probes arriving there prove config/ was read.
        try (Simulator simulator = Simulator.start(SimulatorOptions.defaults())) {
            Files.createDirectories(workdir.resolve("config"));
            Files.writeString(workdir.resolve("config").resolve("application.properties"),
                    "simulator.enabled=false\nsimulator.port=" + simulator.port() + "\nsimulator.ldap-port="
                            + simulator.ldapPort() + "\n");
            try (DaemonProcess daemon = DaemonProcess.start("container-layout", Map.of("quarkus.profile", "demo"),
                    Map.of(), jar, workdir)) {
                daemon.awaitReady(Duration.ofSeconds(60));
                assertTrue(simulator.tenant().stats().ewsRequests() >= 8,
                        "the daemon probes the simulator named in config/application.properties: "
                                + simulator.tenant().stats().counters());
                Metrics metrics = Metrics.scrape(daemon.baseUrl());
                assertEquals(8.0, metrics.find("impersonation_targets", "tenant", "contoso", "probe", "ews").stream()
                        .mapToDouble(Metrics.Sample::value).sum(), "the daemon probes the demo tenant from this layout");
            }
        }
    }

    private static List<Path> glob(String source) throws IOException {
        Path pattern = Path.of(source.endsWith("/") ? source.substring(0, source.length() - 1) : source);
        Path parent = pattern.getParent();
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        try (Stream<Path> entries = Files.list(parent)) {
            return entries.filter(matcher::matches).sorted().toList();
        }
    }

    private static void copyInto(Path source, Path destination) throws IOException {
        if (Files.isDirectory(source)) {
            try (Stream<Path> tree = Files.walk(source)) {
                for (Path path : tree.toList()) {
                    Path target = destination.resolve(source.relativize(path).toString());
                    if (Files.isDirectory(path)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(path, target);
                    }
                }
            }
        } else {
            Files.createDirectories(destination.getParent());
            Files.copy(source, destination);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path path : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
