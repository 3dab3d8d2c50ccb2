package io.impersonationprobe.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container image's recipe, read without building it (there is no container engine in the test environment):
 * an unprivileged numeric user, the daemon's port, the Quarkus JVM layout in the working directory where Quarkus
 * looks for {@code config/}. {@code ContainerImageIT} runs the daemon from that layout after packaging.
 */
class ContainerfileTest {
    private final Containerfile file = Containerfile.read();

    @Test
    void runsAsANumericUnprivilegedUser() {
        String uid = file.user().split(":")[0];
        assertTrue(uid.matches("[0-9]+"), "numeric, so that runAsNonRoot can verify it: " + file.user());
        assertTrue(Integer.parseInt(uid) > 0, "not root");
    }

    @Test
    void exposesTheDaemonsHttpPort() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of("src", "main", "resources", "application.properties"))) {
            properties.load(reader);
        }
        assertEquals(Integer.parseInt(properties.getProperty("quarkus.http.port")), file.exposedPort());
        assertTrue(file.environment().get("JAVA_OPTS_APPEND").contains("-Dquarkus.http.host=0.0.0.0"),
                "listens beyond the container's loopback");
    }

    @Test
    void copiesTheQuarkusJvmLayoutIntoTheWorkingDirectory() {
        String workdir = file.workdir();
        Map<String, String> env = file.environment();
        assertEquals(workdir, env.get("JAVA_APP_DIR"), "run-java.sh starts the JVM in the working directory");
        assertEquals(workdir + "/quarkus-run.jar", env.get("JAVA_APP_JAR"));
        List<String> sources = file.copies().stream().flatMap(c -> c.sources().stream()).toList();
        assertEquals(List.of("target/quarkus-app/lib/", "target/quarkus-app/*.jar", "target/quarkus-app/app/",
                "target/quarkus-app/quarkus/"), sources, "the four parts, least changed first");
        for (Containerfile.Copy copy : file.copies()) {
            assertTrue(copy.destination().startsWith(workdir + "/"), copy + " lands in " + workdir);
            assertFalse(copy.chown(), "the code stays owned by root, unwritable by the process: " + copy);
        }
    }

    @Test
    void startsTheJvmDirectlyFromAPinnedBase() {
        assertTrue(file.last("ENTRYPOINT").startsWith("["), "exec form: the JVM gets SIGTERM and shuts down cleanly");
        String from = file.last("FROM");
        assertTrue(from.matches("\\S+:[0-9][^\\s]*"), "a versioned base image tag: " + from);
    }
}
