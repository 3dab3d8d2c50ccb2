package io.impersonationprobe;

import io.impersonationprobe.testing.Canaries;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs after every other test (its own surefire execution) and reads what the whole run logged: each test class's
 * captured output. None may contain a secret the tests gave the daemon, in clear or as a Basic credential. (What the
 * daemon answers, publishes and sends is checked where it is made, by the scenario tests.)
 */
class SecretsNeverLeakTest {

    @Test
    void noSecretAppearsInLogsMetricsOrAnswers() throws IOException {
        List<Path> files = new ArrayList<>();
        Path reports = Path.of("target", "surefire-reports");
        if (Files.isDirectory(reports)) {
            try (var listing = Files.list(reports)) {
                listing.filter(p -> p.toString().endsWith("-output.txt")).forEach(files::add);
            }
        }
        assertTrue(files.stream().anyMatch(p -> p.toString().contains("ProbeScenarioTest-output")),
                "the scenario test's log output was captured: " + files);
        List<String> leaks = new ArrayList<>();
        for (Path file : files) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            for (String secret : Canaries.ALL) {
                if (text.contains(secret)) {
                    leaks.add(file + " contains a secret of length " + secret.length());
                }
            }
            String basic = Base64.getEncoder().encodeToString(("CONTOSO\\svc-probe:" + Canaries.SERVICE_ACCOUNT_PASSWORD)
                    .getBytes(StandardCharsets.UTF_8));
            if (text.contains(basic)) {
                leaks.add(file + " contains the Basic credential");
            }
        }
        System.out.printf("leak check: %d files read, %d leaks%n", files.size(), leaks.size());
        assertTrue(leaks.isEmpty(), String.join("\n", leaks));
    }
}
