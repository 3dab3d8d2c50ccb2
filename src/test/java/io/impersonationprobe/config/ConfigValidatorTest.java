package io.impersonationprobe.config;

import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Shard;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cross-property rules, through the real config mapping; every problem is reported in one go. */
class ConfigValidatorTest {

    private static ProbeConfig mapping(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(ProbeConfig.class)
                .withConverter(Secret.class, 100, new Secret.SecretConverter())
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .build();
        return config.getConfigMapping(ProbeConfig.class);
    }

    private static Map<String, String> valid() {
        return new HashMap<>(StartupFailure.validConfig());
    }

    @Test
    void aValidConfigurationResolvesItsGroups(@TempDir Path dir) throws IOException {
        Map<String, String> properties = valid();
        Path list = dir.resolve("allow.txt");
        Files.writeString(list, "# canaries\nMegan.Bowen@contoso.com\n\n  alex.wilber@contoso.com  \n");
        properties.put("impersonation.groups.canaries.mailboxes-file", list.toString());
        ValidatedConfig config = ConfigValidator.validate(mapping(properties));
        assertEquals(List.of("alex.wilber@contoso.com", "megan.bowen@contoso.com"),
                config.groups().get(0).targets().stream().map(t -> t.mailbox()).toList(),
                "inline and file mailboxes, normalised, without duplicates");
        assertEquals("startup-test-secret", config.tenants().get("contoso").secret().reveal());
        assertEquals("****", config.tenants().get("contoso").secret().toString());
    }

    @Test
    void theSecretCanComeFromAFile(@TempDir Path dir) throws IOException {
        Map<String, String> properties = valid();
        properties.remove("impersonation.tenants.contoso.auth.client-secret");
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "from-a-file\n");
        properties.put("impersonation.tenants.contoso.auth.client-secret-file", secret.toString());
        assertEquals("from-a-file", ConfigValidator.validate(mapping(properties)).tenants().get("contoso").secret().reveal());
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsProperty(@TempDir Path dir) {
        Map<String, String> properties = valid();
        properties.put("impersonation.tenants.corp.kind", "on-premises");
        properties.put("impersonation.tenants.corp.concurrency", "40");
        properties.put("impersonation.tenants.corp.auth.directory", "corp.example.com");
        properties.put("impersonation.tenants.corp.auth.client-id", "x");
        properties.put("impersonation.tenants.corp.auth.client-secret", "s3cr3t-value");
        properties.put("impersonation.tenants.corp.auth.client-secret-file", dir.resolve("also").toString());
        properties.put("impersonation.tenants.contoso.auth.authority", "https://login.example.com:8443");
        properties.put("impersonation.groups.canaries.interval", "1s");
        properties.put("impersonation.groups.empty.tenant", "contoso");
        properties.put("impersonation.groups.listed.tenant", "corp");
        properties.put("impersonation.groups.listed.mailboxes-file", dir.resolve("missing.txt").toString());
        properties.put("impersonation.probe.folder", "outbox2");
        properties.put("impersonation.probe.timeout", "0s");
        properties.put("impersonation.scheduler.jitter", "1.5");
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ConfigValidator.validate(mapping(properties)));
        String message = e.getMessage();
        for (String expected : List.of(
                "impersonation.tenants.corp.concurrency: is 40; it must be between 1 and 27",
                "impersonation.tenants.corp.ews-url: an on-premises tenant needs its own EWS URL",
                "impersonation.tenants.corp.auth.scope: an on-premises tenant with hybrid modern authentication",
                "impersonation.tenants.corp.auth.client-secret: set either client-secret or client-secret-file, not both",
                "impersonation.tenants.contoso.auth.authority: must not have a port",
                "impersonation.groups.canaries.interval: is PT1S; the shortest allowed is PT5S",
                "impersonation.groups.empty.mailboxes: the group has no mailboxes",
                "impersonation.groups.listed.mailboxes-file: cannot read",
                "impersonation.probe.folder: 'outbox2' is not a well-known folder name",
                "impersonation.probe.timeout: must be longer than zero",
                "impersonation.scheduler.jitter: is 1.5; it must be between 0 and 1")) {
            assertTrue(message.contains(expected), "missing '" + expected + "' in:\n" + message);
        }
        assertEquals(11, e.problems().size(), message);
        assertTrue(!message.contains("s3cr3t-value"), "no secret in the message");
    }

    @Test
    void seriesPerMailboxAreChecked() {
        Map<String, String> properties = valid();
        properties.put("impersonation.groups.canaries.per-mailbox-series", "sometimes");
        properties.put("impersonation.metrics.per-mailbox-limit", "-1");
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ConfigValidator.validate(mapping(properties)));
        assertTrue(e.getMessage().contains("impersonation.groups.canaries.per-mailbox-series: is 'sometimes'; it must "
                + "be true, false or auto"), e.getMessage());
        assertTrue(e.getMessage().contains("impersonation.metrics.per-mailbox-limit: is -1; it must be 0"), e.getMessage());
        assertEquals(2, e.problems().size(), e.getMessage());
    }

    @Test
    void autoGroupsHaveSeriesPerMailboxWithinTheLimit() {
        Map<String, String> properties = valid();
        properties.put("impersonation.groups.canaries.mailboxes", "a@contoso.com,b@contoso.com,c@contoso.com");
        properties.put("impersonation.groups.quiet.tenant", "contoso");
        properties.put("impersonation.groups.quiet.mailboxes", "d@contoso.com");
        properties.put("impersonation.groups.quiet.per-mailbox-series", "false");
        ValidatedConfig within = ConfigValidator.validate(mapping(properties));
        assertEquals(500, within.perMailboxLimit(), "the default");
        assertTrue(within.perMailboxSeries(group(within, "canaries")), "4 targets, limit 500: auto means on");
        assertTrue(!within.perMailboxSeries(group(within, "quiet")), "false means off at any size");

        properties.put("impersonation.metrics.per-mailbox-limit", "3");
        properties.put("impersonation.groups.quiet.per-mailbox-series", "TRUE");
        ValidatedConfig over = ConfigValidator.validate(mapping(properties));
        assertTrue(!over.perMailboxSeries(group(over, "canaries")), "4 targets over a limit of 3: auto means off");
        assertTrue(over.perMailboxSeries(group(over, "quiet")), "true means on at any size");
        assertTrue(over.ownShare().perMailboxSeries(group(over.ownShare(), "quiet")), "a replica's share keeps it");
    }

    private static io.impersonationprobe.target.TargetGroup group(ValidatedConfig config, String name) {
        return config.groups().stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void noGroupsMeansNothingToDo() {
        Map<String, String> properties = valid();
        properties.keySet().removeIf(k -> k.startsWith("impersonation.groups."));
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ConfigValidator.validate(mapping(properties)));
        assertTrue(e.getMessage().contains("impersonation.groups: no target group is configured"), e.getMessage());
    }

    private static ValidatedConfig sharded(String replicas, String index, String hostname) {
        Map<String, String> properties = valid();
        if (replicas != null) {
            properties.put("impersonation.sharding.replicas", replicas);
        }
        if (index != null) {
            properties.put("impersonation.sharding.replica-index", index);
        }
        return ConfigValidator.validate(mapping(properties), hostname);
    }

    private static void assertProblem(String expected, Runnable validation) {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, validation::run);
        assertEquals(1, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "missing '" + expected + "' in:\n" + e.getMessage());
    }

    @Test
    void oneReplicaProbesEverythingWhateverTheHostName() {
        assertEquals(Shard.SINGLE, sharded(null, null, "impersonation-probe-3").shard());
        assertEquals(Shard.SINGLE, sharded("1", null, null).shard());
    }

    @Test
    void theReplicaIndexComesFromThePropertyOrTheStatefulSetOrdinal() {
        assertEquals(new Shard(3, 2), sharded("3", "2", null).shard());
        assertEquals(new Shard(3, 1), sharded("3", null, "impersonation-probe-1").shard());
        assertEquals(new Shard(3, 0), sharded("3", "0", "impersonation-probe-1").shard(), "the property wins");
    }

    @Test
    void aShardThatCannotBeKnownStopsStartupNamingTheProperty() {
        assertProblem("impersonation.sharding.replicas: is 0; it must be 1 or more",
                () -> sharded("0", null, null));
        assertProblem("impersonation.sharding.replica-index: is 2; with 2 replica(s) it must be between 0 and 1",
                () -> sharded("2", "2", null));
        assertProblem("impersonation.sharding.replica-index: is -1;", () -> sharded("2", "-1", null));
        assertProblem("impersonation.sharding.replica-index: is 1; with 1 replica(s)", () -> sharded(null, "1", null));
        assertProblem("impersonation.sharding.replica-index: is required with 2 replicas: HOSTNAME is not set",
                () -> sharded("2", null, null));
        assertProblem("impersonation.sharding.replica-index: is required with 2 replicas: the host name 'probe-vm' "
                + "does not end in -<n>", () -> sharded("2", null, "probe-vm"));
        assertProblem("the host name 'impersonation-probe-2' gives index 2, but impersonation.sharding.replicas is 2",
                () -> sharded("2", null, "impersonation-probe-2"));
    }

    @Test
    void plainHttpIsAcceptedOnlyForLoopback() {
        assertTrue(ConfigValidator.isLoopback("127.0.0.1"));
        assertTrue(ConfigValidator.isLoopback("localhost"));
        assertTrue(ConfigValidator.isLoopback("[::1]"));
        assertTrue(!ConfigValidator.isLoopback("10.0.0.5"));
        assertTrue(!ConfigValidator.isLoopback("mail.contoso.com"));
        assertTrue(!ConfigValidator.isLoopback("127.0.0.1.nip.io"));
    }

    @Test
    void apiKeysAreReadAsHashesFromPropertiesAndTheKeysFile(@TempDir Path dir) throws IOException {
        Map<String, String> properties = valid();
        String oncall = "a".repeat(64);
        properties.put("impersonation.api.keys.oncall.sha256", oncall.toUpperCase());
        properties.put("impersonation.api.keys.oncall.roles", "read,check");
        Path file = dir.resolve("keys");
        Files.writeString(file, "# callers\n\nprometheus " + "b".repeat(64) + " read\n");
        properties.put("impersonation.api.keys-file", file.toString());
        List<ApiKey> keys = ConfigValidator.validate(mapping(properties)).apiKeys();
        assertEquals(List.of("oncall", "prometheus"), keys.stream().map(ApiKey::caller).toList());
        assertEquals(java.util.Set.of(ApiRole.READ, ApiRole.CHECK), keys.get(0).roles());
        assertEquals(java.util.Set.of(ApiRole.READ), keys.get(1).roles());
        assertEquals(oncall, java.util.HexFormat.of().formatHex(keys.get(0).sha256()));
        assertTrue(!keys.get(0).toString().contains(oncall), "toString leaves the hash out");
    }

    @Test
    void badApiSettingsNameTheirPropertyAndNeverEchoAKey(@TempDir Path dir) throws IOException {
        Map<String, String> properties = valid();
        properties.put("impersonation.api.keys.oncall.sha256", "my-plain-api-key-by-mistake");
        properties.put("impersonation.api.keys.twin.sha256", "c".repeat(64));
        properties.put("impersonation.api.keys.twin2.sha256", "C".repeat(64));
        Path file = dir.resolve("keys");
        Files.writeString(file, "pasted-secret-key-line\nops " + "d".repeat(64) + " admin\n");
        properties.put("impersonation.api.keys-file", file.toString());
        properties.put("impersonation.api.checks.per-caller-per-minute", "0");
        properties.put("impersonation.api.checks.max-concurrent", "100");
        properties.put("impersonation.api.checks.allowed-domains", "contoso.com,not a domain");
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ConfigValidator.validate(mapping(properties)));
        String message = e.getMessage();
        for (String expected : List.of("impersonation.api.keys.oncall.sha256: must be the key's SHA-256",
                "impersonation.api.keys.twin2.sha256: is the hash of another caller's key",
                "impersonation.api.keys-file: " + file + " line 1 must be 'caller sha256-hex role[,role]'",
                "line 2: unknown role 'admin'",
                "impersonation.api.checks.per-caller-per-minute: must be at least 1",
                "impersonation.api.checks.max-concurrent: must be between 1 and 27",
                "impersonation.api.checks.allowed-domains: 'not a domain' is not a domain name")) {
            assertTrue(message.contains(expected), "missing '" + expected + "' in:\n" + message);
        }
        assertTrue(!message.contains("my-plain-api-key-by-mistake") && !message.contains("pasted-secret-key-line"),
                "a key pasted by mistake is never echoed: " + message);
    }

    @Test
    void anUnreadableKeysFileIsNamed(@TempDir Path dir) {
        Map<String, String> properties = valid();
        properties.put("impersonation.api.keys-file", dir.resolve("absent").toString());
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ConfigValidator.validate(mapping(properties)));
        assertTrue(e.getMessage().contains("impersonation.api.keys-file: cannot read"), e.getMessage());
    }

    @Test
    void groupsChooseTheirProbeKinds() {
        Map<String, String> properties = valid();
        assertEquals(List.of(ProbeKind.EWS), ConfigValidator.validate(mapping(properties)).groups().get(0).probes(),
                "ews unless a group asks for more");
        properties.put("impersonation.groups.canaries.probes", "ews, Graph");
        assertEquals(List.of(ProbeKind.EWS, ProbeKind.GRAPH), ConfigValidator.validate(mapping(properties)).groups().get(0).probes());
    }

    @Test
    void probeKindsAreCheckedNamingTheProperty() {
        Map<String, String> properties = valid();
        properties.put("impersonation.groups.canaries.probes", "ews,imap,ews");
        properties.put("impersonation.tenants.corp.kind", "on-premises");
        properties.put("impersonation.tenants.corp.ews-url", "https://mail.example.com/EWS/Exchange.asmx");
        properties.put("impersonation.tenants.corp.auth.method", "basic");
        properties.put("impersonation.tenants.corp.auth.username", "CORP\\svc-probe");
        properties.put("impersonation.tenants.corp.auth.password", "pw-value");
        properties.put("impersonation.groups.onprem.tenant", "corp");
        properties.put("impersonation.groups.onprem.mailboxes", "a@example.com");
        properties.put("impersonation.groups.onprem.probes", "graph");
        properties.put("impersonation.tenants.contoso.graph.url", "http://graph.example.com");
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ConfigValidator.validate(mapping(properties)));
        String message = e.getMessage();
        assertTrue(message.contains("impersonation.groups.canaries.probes: unknown probe 'imap'"), message);
        assertTrue(message.contains("impersonation.groups.canaries.probes: lists 'ews' twice"), message);
        assertTrue(message.contains("impersonation.groups.onprem.probes: graph is for Exchange Online tenants only"),
                message);
        assertTrue(message.contains("impersonation.tenants.contoso.graph.url: 'http://graph.example.com' uses plain http"),
                message);
    }
}
