package io.impersonationprobe.config;

import io.impersonationprobe.target.Expectation;
import io.impersonationprobe.target.PerMailboxSeries;
import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Shard;
import io.impersonationprobe.target.Target;
import io.impersonationprobe.target.TargetGroup;
import microsoft.exchange.webservices.data.core.enumeration.property.WellKnownFolderName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a valid configuration resolves to, and how several problems are reported together, through the real config
 * mapping. Each single rule has its fixture in {@link InvalidConfigTest}.
 */
class ConfigValidatorTest {

    @Test
    void aValidConfigurationResolvesItsGroups(@TempDir Path dir) throws IOException {
        Map<String, String> properties = ConfigFixtures.valid();
        Path list = dir.resolve("allow.txt");
        Files.writeString(list, "# canaries\nMegan.Bowen@contoso.com\n\n  alex.wilber@contoso.com  \n");
        properties.put("impersonation.groups.canaries.mailboxes-file", list.toString());
        ValidatedConfig config = ConfigFixtures.validated(properties);
        assertEquals(List.of("alex.wilber@contoso.com", "megan.bowen@contoso.com"),
                config.groups().get(0).targets().stream().map(Target::mailbox).toList(),
                "inline and file mailboxes, normalised, without duplicates");
        assertEquals("startup-test-secret", config.tenants().get("contoso").secret().reveal());
        assertEquals("****", config.tenants().get("contoso").secret().toString());
        assertEquals(WellKnownFolderName.Inbox, config.folder(), "the default folder");
    }

    @Test
    void theSecretCanComeFromAFile(@TempDir Path dir) throws IOException {
        Map<String, String> properties = ConfigFixtures.valid();
        properties.remove("impersonation.tenants.contoso.auth.client-secret");
        Path secret = dir.resolve("secret");
        Files.writeString(secret, "from-a-file\n");
        properties.put("impersonation.tenants.contoso.auth.client-secret-file", secret.toString());
        assertEquals("from-a-file", ConfigFixtures.validated(properties).tenants().get("contoso").secret().reveal());
    }

    /**
     * Three steps, each reporting all of its problems: values that cannot be read stop the mapping before its
     * ranges are checked, and the rules that span properties run on a mapping whose every value is in range.
     */
    @Test
    void eachStepReportsEveryProblemItFinds(@TempDir Path dir) {
        Map<String, String> properties = ConfigFixtures.valid();
        properties.put("impersonation.probe.folder", "outbox2");
        properties.put("impersonation.groups.canaries.per-mailbox-series", "sometimes");
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
        Path missing = dir.resolve("missing.txt");
        properties.put("impersonation.groups.listed.mailboxes-file", missing.toString());
        properties.put("impersonation.probe.timeout", "0s");
        properties.put("impersonation.scheduler.jitter", "1.5");

        assertProblems(properties, "impersonation.probe.folder with the config value \"outbox2\"",
                "impersonation.groups.canaries.per-mailbox-series with the config value \"sometimes\"");

        properties.remove("impersonation.probe.folder");
        properties.remove("impersonation.groups.canaries.per-mailbox-series");
        assertProblems(properties,
                "impersonation.tenants.corp.concurrency is 40; it must be between 1 and 27",
                "impersonation.groups.canaries.interval is PT1S; the shortest allowed is PT5S",
                "impersonation.probe.timeout is PT0S; it must be longer than zero",
                "impersonation.scheduler.jitter is 1.5; it must be between 0 and 1");

        properties.remove("impersonation.tenants.corp.concurrency");
        properties.remove("impersonation.groups.canaries.interval");
        properties.remove("impersonation.probe.timeout");
        properties.remove("impersonation.scheduler.jitter");
        assertProblems(properties,
                "impersonation.tenants.corp.ews-url: an on-premises tenant needs its own EWS URL",
                "impersonation.tenants.corp.auth.scope: an on-premises tenant with hybrid modern authentication",
                "impersonation.tenants.corp.auth.client-secret: set either client-secret or client-secret-file, not both",
                "impersonation.tenants.contoso.auth.authority: must not have a port",
                "impersonation.groups.empty.mailboxes: the group has no mailboxes",
                "impersonation.groups.listed.mailboxes-file: cannot read " + missing + " (NoSuchFileException)");
    }

    /** Exactly one problem per expected part, and no secret in any. */
    private static void assertProblems(Map<String, String> properties, String... expected) {
        List<String> problems = ConfigFixtures.problems(properties);
        assertEquals(expected.length, problems.size(), String.join("\n", problems));
        for (String part : expected) {
            assertEquals(1, problems.stream().filter(p -> p.contains(part)).count(),
                    "one problem says '" + part + "':\n" + String.join("\n", problems));
        }
        assertFalse(problems.stream().anyMatch(p -> p.contains("s3cr3t-value") || p.contains("startup-test-secret")),
                "no secret in the problems");
    }

    @Test
    void closedSetsIgnoreCaseHyphensAndUnderscores() {
        Map<String, String> properties = ConfigFixtures.valid();
        properties.put("impersonation.tenants.contoso.kind", "EXCHANGE_ONLINE");
        properties.put("impersonation.tenants.contoso.auth.method", "Client-Secret");
        properties.put("impersonation.groups.canaries.expect", "DENY");
        properties.put("impersonation.groups.canaries.probes", "EWS, Graph");
        properties.put("impersonation.groups.canaries.per-mailbox-series", "True");
        properties.put("impersonation.probe.folder", "deleted-items");
        ValidatedConfig config = ConfigFixtures.validated(properties);
        TargetGroup group = config.groups().get(0);
        assertEquals(TenantKind.EXCHANGE_ONLINE, config.tenants().get("contoso").kind());
        assertEquals(AuthMethod.CLIENT_SECRET, config.tenants().get("contoso").method());
        assertEquals(Expectation.DENY, group.expect());
        assertEquals(List.of(ProbeKind.EWS, ProbeKind.GRAPH), group.probes());
        assertEquals(PerMailboxSeries.TRUE, group.perMailboxSeries());
        assertEquals(WellKnownFolderName.DeletedItems, config.folder());
        properties.put("impersonation.probe.folder", "DeletedItems");
        assertEquals(WellKnownFolderName.DeletedItems, ConfigFixtures.validated(properties).folder());
    }

    @Test
    void groupsChooseTheirProbeKinds() {
        Map<String, String> properties = ConfigFixtures.valid();
        assertEquals(List.of(ProbeKind.EWS), ConfigFixtures.validated(properties).groups().get(0).probes(),
                "ews unless a group asks for more");
        properties.put("impersonation.groups.canaries.probes", "graph,ews");
        assertEquals(List.of(ProbeKind.GRAPH, ProbeKind.EWS),
                ConfigFixtures.validated(properties).groups().get(0).probes(), "in the order given");
    }

    @Test
    void autoGroupsHaveSeriesPerMailboxWithinTheLimit() {
        Map<String, String> properties = ConfigFixtures.valid();
        properties.put("impersonation.groups.canaries.mailboxes", "a@contoso.com,b@contoso.com,c@contoso.com,d@contoso.com");
        properties.put("impersonation.groups.quiet.tenant", "contoso");
        properties.put("impersonation.groups.quiet.mailboxes", "e@contoso.com");
        properties.put("impersonation.groups.quiet.per-mailbox-series", "false");
        ValidatedConfig within = ConfigFixtures.validated(properties);
        assertEquals(500, within.perMailboxLimit(), "the default");
        assertTrue(within.perMailboxSeries(group(within, "canaries")), "5 targets, limit 500: auto means on");
        assertFalse(within.perMailboxSeries(group(within, "quiet")), "false means off at any size");

        properties.put("impersonation.metrics.per-mailbox-limit", "3");
        properties.put("impersonation.groups.quiet.per-mailbox-series", "TRUE");
        ValidatedConfig over = ConfigFixtures.validated(properties);
        assertFalse(over.perMailboxSeries(group(over, "canaries")), "5 targets over a limit of 3: auto means off");
        assertTrue(over.perMailboxSeries(group(over, "quiet")), "true means on at any size");
        assertTrue(over.ownShare().perMailboxSeries(group(over.ownShare(), "quiet")), "a replica's share keeps it");
    }

    private static TargetGroup group(ValidatedConfig config, String name) {
        return config.groups().stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow();
    }

    private static ValidatedConfig sharded(String replicas, String index, String hostname) {
        Map<String, String> properties = ConfigFixtures.valid();
        if (replicas != null) {
            properties.put("impersonation.sharding.replicas", replicas);
        }
        if (index != null) {
            properties.put("impersonation.sharding.replica-index", index);
        }
        return ConfigValidator.validate(ConfigFixtures.mapping(properties), hostname);
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
        assertFalse(ConfigValidator.isLoopback("10.0.0.5"));
        assertFalse(ConfigValidator.isLoopback("mail.contoso.com"));
        assertFalse(ConfigValidator.isLoopback("127.0.0.1.nip.io"));
    }

    @Test
    void apiKeysAreReadAsHashesFromPropertiesAndTheKeysFile(@TempDir Path dir) throws IOException {
        Map<String, String> properties = ConfigFixtures.valid();
        String oncall = "a".repeat(64);
        properties.put("impersonation.api.keys.oncall.sha256", oncall.toUpperCase());
        properties.put("impersonation.api.keys.oncall.roles", "read,check");
        Path file = dir.resolve("keys");
        Files.writeString(file, "# callers\n\nprometheus " + "b".repeat(64) + " read\n");
        properties.put("impersonation.api.keys-file", file.toString());
        List<ApiKey> keys = ConfigFixtures.validated(properties).apiKeys();
        assertEquals(List.of("oncall", "prometheus"), keys.stream().map(ApiKey::caller).toList());
        assertEquals(Set.of(ApiRole.READ, ApiRole.CHECK), keys.get(0).roles());
        assertEquals(Set.of(ApiRole.READ), keys.get(1).roles());
        assertEquals(oncall, HexFormat.of().formatHex(keys.get(0).sha256()));
        assertFalse(keys.get(0).toString().contains(oncall), "toString leaves the hash out");
    }

    @Test
    void badApiKeysNameTheirPropertyAndNeverEchoAKey(@TempDir Path dir) throws IOException {
        Map<String, String> properties = ConfigFixtures.valid();
        properties.put("impersonation.api.keys.oncall.sha256", "my-plain-api-key-by-mistake");
        properties.put("impersonation.api.keys.twin.sha256", "c".repeat(64));
        properties.put("impersonation.api.keys.twin2.sha256", "C".repeat(64));
        Path file = dir.resolve("keys");
        Files.writeString(file, "pasted-secret-key-line\nops " + "d".repeat(64) + " admin\n");
        properties.put("impersonation.api.keys-file", file.toString());
        List<String> problems = ConfigFixtures.problems(properties);
        assertEquals(List.of(
                "impersonation.api.keys.oncall.sha256: must be the key's SHA-256 as 64 hex digits "
                        + "(printf %s \"$KEY\" | sha256sum), not the key itself",
                "impersonation.api.keys-file: " + file + " line 1 must be 'caller sha256-hex role[,role]'",
                "impersonation.api.keys-file: " + file + " line 2: 'admin' is not a role: use read or check",
                "impersonation.api.keys.twin2.sha256: is the hash of another caller's key; give every caller its own "
                        + "key, so the audit log can tell them apart"), problems);
    }
}
