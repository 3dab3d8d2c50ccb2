package io.impersonationprobe.deploy;

import io.impersonationprobe.config.ConfigValidator;
import io.impersonationprobe.config.ProbeConfig;
import io.impersonationprobe.config.Secret;
import io.impersonationprobe.testing.ConfigProperties;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The systemd unit and its environment file: hardened as documented, secrets as credentials rather than
 * environment, and only variables the daemon reads. {@code systemd-analyze verify} checks the syntax where systemd
 * is installed; this test checks what it cannot.
 */
class SystemdUnitTest {
    static final Path DIR = Path.of("deploy", "systemd");

    /** Every value of every key of the [Service] section, in order. */
    private static Map<String, List<String>> service() throws IOException {
        Map<String, List<String>> keys = new HashMap<>();
        String section = "";
        for (String line : Files.readAllLines(DIR.resolve("impersonation-probe.service"))) {
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            if (text.startsWith("[")) {
                section = text;
            } else if (section.equals("[Service]")) {
                int eq = text.indexOf('=');
                keys.computeIfAbsent(text.substring(0, eq), k -> new ArrayList<>()).add(text.substring(eq + 1));
            }
        }
        return keys;
    }

    private static String single(Map<String, List<String>> service, String key) {
        List<String> values = service.getOrDefault(key, List.of());
        assertEquals(1, values.size(), key + " is set once: " + values);
        return values.get(0);
    }

    @Test
    void theServiceIsHardened() throws IOException {
        Map<String, List<String>> service = service();
        Map<String, String> expected = Map.of("DynamicUser", "yes", "ProtectSystem", "strict", "NoNewPrivileges", "yes",
                "PrivateTmp", "yes", "ProtectHome", "yes", "Restart", "on-failure", "CapabilityBoundingSet", "",
                "RestrictSUIDSGID", "yes", "SystemCallFilter", "@system-service");
        expected.forEach((key, value) -> assertEquals(value, single(service, key), key));
        String readOnly = single(service, "ReadOnlyPaths");
        assertTrue(readOnly.contains("/opt/impersonation-probe") && readOnly.contains("/etc/impersonation-probe"));
        // The JIT compiler needs memory that is writable and executable.
        assertFalse(service.containsKey("MemoryDenyWriteExecute"), "MemoryDenyWriteExecute would stop the JVM");
        assertTrue(single(service, "RestrictAddressFamilies").contains("AF_INET6"), "IPv6 endpoints stay reachable");
    }

    @Test
    void stateLivesInTheUnitsStateDirectory() throws IOException {
        Map<String, List<String>> service = service();
        String directory = "/var/lib/" + single(service, "StateDirectory");
        assertEquals("0700", single(service, "StateDirectoryMode"), "readable by the daemon's user only");
        List<String> environment = Files.readAllLines(DIR.resolve("impersonation-probe.env"));
        assertTrue(environment.contains("IMPERSONATION_STATE_DIRECTORY=" + directory),
                "the daemon writes where systemd keeps the state: " + directory);
    }

    @Test
    void secretsArriveAsCredentialsAndTheOriginalsAreHidden() throws IOException {
        Map<String, List<String>> service = service();
        List<String> credentials = service.getOrDefault("LoadCredential", List.of());
        assertEquals(2, credentials.size(), "the certificate and its password");
        String hidden = single(service, "InaccessiblePaths").replaceFirst("^-", "");
        for (String credential : credentials) {
            String[] idAndPath = credential.split(":", 2);
            assertTrue(idAndPath[1].startsWith(hidden + "/"), "the source " + idAndPath[1] + " is hidden from the service");
        }
        for (String key : service.keySet()) {
            assertNotEquals("Environment", key, "secrets never in Environment=; other settings go in the file");
        }
    }

    @Test
    void theJarIsTheQuarkusLayoutInTheWorkingDirectory() throws IOException {
        Map<String, List<String>> service = service();
        String workdir = single(service, "WorkingDirectory");
        String exec = single(service, "ExecStart");
        assertTrue(exec.startsWith("/usr/bin/java "), "an absolute java");
        assertTrue(exec.endsWith("-jar " + workdir + "/quarkus-run.jar"), exec);
        assertTrue(exec.contains("-Dquarkus.config.locations=/etc/impersonation-probe/application.properties"));
        assertTrue(single(service, "EnvironmentFile").equals("-/etc/impersonation-probe/impersonation-probe.env"));
    }

    @Test
    void theEnvironmentFileSetsOnlyWhatTheDaemonReadsAndNoSecret() throws IOException {
        Pattern assignment = Pattern.compile("^#?([A-Z][A-Z0-9_]*)=(.*)$");
        int checked = 0;
        for (String line : Files.readAllLines(DIR.resolve("impersonation-probe.env"))) {
            Matcher m = assignment.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            String name = m.group(1);
            assertFalse(name.contains("SECRET") || name.contains("PASSWORD"), name + " belongs in a credential file");
            if (name.startsWith("IMPERSONATION_")) {
                assertTrue(ConfigProperties.knownEnvironment(name), "the daemon reads " + name);
                checked++;
            }
        }
        assertEquals(3, checked, "the state directory and the sharding examples");
    }

    @Test
    void filePropertiesCanNameTheCredentialsDirectory(@TempDir Path credentials) throws IOException {
        Files.writeString(credentials.resolve("client-secret"), "from-the-credentials-directory\n");
        Map<String, String> properties = new HashMap<>();
        properties.put("impersonation.tenants.contoso.kind", "exchange-online");
        properties.put("impersonation.tenants.contoso.auth.directory", "contoso.onmicrosoft.com");
        properties.put("impersonation.tenants.contoso.auth.client-id", "6731de76-14a6-49ae-97bc-6eba6914391e");
        properties.put("impersonation.tenants.contoso.auth.client-secret-file", "${CREDENTIALS_DIRECTORY}/client-secret");
        properties.put("impersonation.groups.canaries.tenant", "contoso");
        properties.put("impersonation.groups.canaries.mailboxes", "alex.wilber@contoso.com");
        ProbeConfig config = new SmallRyeConfigBuilder()
                // Expression expansion (${...}), as Quarkus configures it.
                .addDefaultInterceptors()
                .withMapping(ProbeConfig.class)
                .withConverter(Secret.class, 100, new Secret.SecretConverter())
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "application.properties", 250))
                // systemd sets CREDENTIALS_DIRECTORY in the service's environment.
                .withSources(new EnvConfigSource(Map.of("CREDENTIALS_DIRECTORY", credentials.toString()), 300))
                .build().getConfigMapping(ProbeConfig.class);
        assertEquals("from-the-credentials-directory",
                ConfigValidator.validate(config, null).tenants().get("contoso").secret().reveal());
    }
}
