package io.impersonationprobe.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Every configuration rule, as a file: each {@code src/test/resources/config/invalid-*.properties} is the valid
 * configuration changed in one respect, and stops startup with exactly one problem, the message here (as
 * blackbox_exporter's {@code testdata/invalid-*.yml}). {@link InvalidConfigFailsStartupTest} shows that the real
 * application stops with the same messages.
 */
class InvalidConfigTest {

    static Stream<Arguments> fixtures() {
        return Stream.of(
                // Values that cannot be read as their type; the closed sets say which values there are.
                arguments("invalid-tenant-kind", unconvertible("impersonation.tenants.contoso.kind", "exchange",
                        "'exchange' is not a tenant kind: use exchange-online or on-premises")),
                arguments("invalid-auth-method", unconvertible("impersonation.tenants.contoso.auth.method", "oauth",
                        "'oauth' is not an authentication method: use client-secret, client-certificate, ntlm or "
                                + "basic")),
                arguments("invalid-group-expect", unconvertible("impersonation.groups.canaries.expect", "maybe",
                        "'maybe' is not an expectation: use allow or deny")),
                arguments("invalid-group-probes-unknown",
                        unconvertible("impersonation.groups.canaries.probes", "ews,imap",
                                "'imap' is not a probe kind: use ews or graph")),
                arguments("invalid-group-probes-empty",
                        "java.util.NoSuchElementException: SRCFG00040: The config property "
                                + "impersonation.groups.canaries.probes is defined as the empty String (\"\") which "
                                + "the following Converter considered to be null: "
                                + "io.smallrye.config.Converters$CollectionConverter"),
                arguments("invalid-group-per-mailbox-series",
                        unconvertible("impersonation.groups.canaries.per-mailbox-series", "sometimes",
                                "'sometimes' is not a choice of series per mailbox: use true, false or auto")),
                arguments("invalid-probe-folder", unconvertible("impersonation.probe.folder", "outbox2",
                        "'outbox2' is not a well-known folder name: for example inbox, calendar, contacts or "
                                + "drafts")),
                arguments("invalid-api-key-role", unconvertible("impersonation.api.keys.oncall.roles", "read,admin",
                        "'admin' is not a role: use read or check")),
                // Values out of their range: the Bean Validation constraints of ProbeConfig.
                arguments("invalid-tenant-concurrency-zero",
                        "impersonation.tenants.contoso.concurrency is 0; it must be between 1 and 27 (Exchange "
                                + "allows 27 concurrent EWS requests per account)"),
                arguments("invalid-tenant-concurrency-high",
                        "impersonation.tenants.contoso.concurrency is 28; it must be between 1 and 27 (Exchange "
                                + "allows 27 concurrent EWS requests per account)"),
                arguments("invalid-auth-token-timeout-zero",
                        "impersonation.tenants.contoso.auth.token-timeout is PT0S; it must be longer than zero"),
                arguments("invalid-control-plane-interval-short",
                        "impersonation.tenants.contoso.control-plane.interval is PT1S; the shortest allowed is "
                                + "PT5S (every poll makes several admin API calls, and Exchange Online throttles "
                                + "the admin API)"),
                arguments("invalid-control-plane-timeout-zero",
                        "impersonation.tenants.contoso.control-plane.timeout is PT0S; it must be longer than zero"),
                arguments("invalid-control-plane-authorization-sample-negative",
                        "impersonation.tenants.contoso.control-plane.authorization-sample is -1; it must be 0 (no "
                                + "checks) or more"),
                arguments("invalid-control-plane-propagation-window-zero",
                        "impersonation.tenants.contoso.control-plane.propagation-window is PT0S; it must be "
                                + "longer than zero"),
                arguments("invalid-group-interval-short",
                        "impersonation.groups.canaries.interval is PT1S; the shortest allowed is PT5S (every "
                                + "cycle sends a request per mailbox and probe kind, and Exchange throttles an "
                                + "account that sends too many)"),
                arguments("invalid-probe-timeout-zero",
                        "impersonation.probe.timeout is PT0S; it must be longer than zero"),
                arguments("invalid-probe-timeout-long",
                        "impersonation.probe.timeout is PT6M; the longest allowed is PT5M (a server that does not "
                                + "answer would hold one of the tenant's concurrent requests that long)"),
                arguments("invalid-probe-token-backoff-long",
                        "impersonation.probe.token-backoff is PT10M; the longest allowed is PT5M"),
                arguments("invalid-scheduler-jitter-high",
                        "impersonation.scheduler.jitter is 1.5; it must be between 0 and 1 (a fraction of each "
                                + "group's interval)"),
                arguments("invalid-scheduler-jitter-nan",
                        "impersonation.scheduler.jitter is NaN; it must be between 0 and 1 (a fraction of each "
                                + "group's interval)"),
                arguments("invalid-metrics-per-mailbox-limit-negative",
                        "impersonation.metrics.per-mailbox-limit is -1; it must be 0 (no series per mailbox for "
                                + "auto groups) or more"),
                arguments("invalid-sharding-peer-timeout-zero",
                        "impersonation.sharding.peer-timeout is PT0S; it must be longer than zero"),
                arguments("invalid-sharding-replicas-zero",
                        "impersonation.sharding.replicas is 0; it must be 1 or more"),
                arguments("invalid-api-checks-per-caller-per-minute-zero",
                        "impersonation.api.checks.per-caller-per-minute is 0; it must be at least 1 (to allow no "
                                + "live checks, give no caller the check role)"),
                arguments("invalid-api-checks-max-concurrent-high",
                        "impersonation.api.checks.max-concurrent is 28; it must be between 1 and 27 (Exchange "
                                + "allows 27 concurrent EWS requests per account)"),
                arguments("invalid-api-checks-allowed-domain",
                        "impersonation.api.checks.allowed-domains[1] is 'not a domain', which is not a domain "
                                + "name such as contoso.com"),
                // Rules that span properties, and what the configuration points to.
                arguments("invalid-ews-url-plain-http",
                        "impersonation.tenants.contoso.ews-url: 'http://mail.contoso.com/EWS/Exchange.asmx' uses "
                                + "plain http; credentials would cross the network unencrypted. Use https (plain "
                                + "http is accepted only for a loopback address such as the built-in simulator)"),
                arguments("invalid-ews-url-not-https",
                        "impersonation.tenants.contoso.ews-url: 'ftp://mail.contoso.com/EWS/Exchange.asmx' must "
                                + "be an https URL"),
                arguments("invalid-ews-url-relative",
                        "impersonation.tenants.contoso.ews-url: '/EWS/Exchange.asmx' is not an absolute URL with "
                                + "a host"),
                arguments("invalid-on-premises-ews-url-default",
                        "impersonation.tenants.corp.ews-url: an on-premises tenant needs its own EWS URL, for "
                                + "example https://mail.example.com/EWS/Exchange.asmx"),
                arguments("invalid-on-premises-scope-default",
                        "impersonation.tenants.corp.auth.scope: an on-premises tenant with hybrid modern "
                                + "authentication needs its EWS host as the resource, for example "
                                + "https://mail.example.com/.default"),
                arguments("invalid-exchange-online-ntlm",
                        "impersonation.tenants.contoso.auth.method: Exchange Online accepts only app-only OAuth "
                                + "for impersonation: use client-secret or client-certificate (ntlm and basic are "
                                + "for on-premises Exchange)"),
                arguments("invalid-auth-directory-missing",
                        "impersonation.tenants.contoso.auth.directory: is required"),
                arguments("invalid-auth-client-id-missing",
                        "impersonation.tenants.contoso.auth.client-id: is required"),
                arguments("invalid-client-secret-missing",
                        "impersonation.tenants.contoso.auth.client-secret: is required; give it through the "
                                + "environment or set client-secret-file"),
                arguments("invalid-client-secret-twice",
                        "impersonation.tenants.contoso.auth.client-secret: set either client-secret or "
                                + "client-secret-file, not both"),
                arguments("invalid-client-secret-file-empty",
                        "impersonation.tenants.contoso.auth.client-secret-file: the file "
                                + "src/test/resources/config/files/empty.txt is empty"),
                arguments("invalid-client-secret-file-unreadable",
                        "impersonation.tenants.contoso.auth.client-secret-file: cannot read "
                                + "src/test/resources/config/files/absent (NoSuchFileException)"),
                arguments("invalid-auth-authority-port",
                        "impersonation.tenants.contoso.auth.authority: must not have a port (msal4j's token cache "
                                + "never hits for such an authority); use auth.authority-url-override to reach a "
                                + "token service on another port"),
                arguments("invalid-auth-authority-url-override-plain-http",
                        "impersonation.tenants.contoso.auth.authority-url-override: "
                                + "'http://token-proxy.contoso.com:8080' uses plain http; credentials would cross "
                                + "the network unencrypted. Use https (plain http is accepted only for a loopback "
                                + "address such as the built-in simulator)"),
                arguments("invalid-certificate-missing",
                        "impersonation.tenants.contoso.auth.certificate-file: set either certificate-file "
                                + "(PKCS12) or both certificate-pem-file and private-key-pem-file"),
                arguments("invalid-certificate-file-unreadable",
                        "impersonation.tenants.contoso.auth.certificate-file: cannot read "
                                + "src/test/resources/config/files/absent (NoSuchFileException)"),
                arguments("invalid-certificate-file-not-pkcs12",
                        "impersonation.tenants.contoso.auth.certificate-file: cannot open it as PKCS12 (wrong "
                                + "password or not a PKCS12 file)"),
                arguments("invalid-certificate-pem-without-key",
                        "impersonation.tenants.contoso.auth.private-key-pem-file: is required with "
                                + "certificate-pem-file"),
                arguments("invalid-service-account-username-missing",
                        "impersonation.tenants.corp.auth.username: is required"),
                arguments("invalid-service-account-password-missing",
                        "impersonation.tenants.corp.auth.password: is required; give it through the environment "
                                + "or set password-file"),
                arguments("invalid-admin-auth-method",
                        "impersonation.tenants.contoso.control-plane.auth.method: the admin API takes app-only "
                                + "OAuth: client-secret or client-certificate"),
                arguments("invalid-admin-auth-secret-missing",
                        "impersonation.tenants.contoso.control-plane.auth.client-secret: is required; give it "
                                + "through the environment or set client-secret-file"),
                arguments("invalid-admin-api-url-plain-http",
                        "impersonation.tenants.contoso.control-plane.admin-api-url: 'http://outlook.contoso.com' "
                                + "uses plain http; credentials would cross the network unencrypted. Use https "
                                + "(plain http is accepted only for a loopback address such as the built-in "
                                + "simulator)"),
                arguments("invalid-graph-url-plain-http",
                        "impersonation.tenants.contoso.graph.url: 'http://graph.example.com' uses plain http; "
                                + "credentials would cross the network unencrypted. Use https (plain http is "
                                + "accepted only for a loopback address such as the built-in simulator)"),
                arguments("invalid-ldap-plain-without-start-tls",
                        "impersonation.tenants.corp.control-plane.ldap.start-tls: 'ldap://dc1.corp.example.com' is "
                                + "plain LDAP; the bind password would cross the network unencrypted. Use ldaps:// or "
                                + "set start-tls=true (plain LDAP is accepted only for a loopback address such as the "
                                + "built-in simulator)"),
                arguments("invalid-ldap-bind-password-twice",
                        "impersonation.tenants.corp.control-plane.ldap.bind-password: set either bind-password or "
                                + "bind-password-file, not both"),
                arguments("invalid-ldap-url-scheme",
                        "impersonation.tenants.corp.control-plane.ldap.url: 'https://dc1.corp.example.com' must be "
                                + "ldaps://host[:port] or ldap://host[:port]"),
                arguments("invalid-trust-store-unreadable",
                        "impersonation.tenants.corp.tls.trust-store: cannot read "
                                + "src/test/resources/config/files/absent (NoSuchFileException)"),
                arguments("invalid-trust-store-format",
                        "impersonation.tenants.corp.tls.trust-store: cannot open it as a PKCS12 or JKS trust "
                                + "store (wrong password or format)"),
                arguments("invalid-group-tenant-unknown",
                        "impersonation.groups.canaries.tenant: unknown tenant 'nope'; configured tenants: contoso"),
                arguments("invalid-group-probes-repeated",
                        "impersonation.groups.canaries.probes: lists 'ews' twice"),
                arguments("invalid-group-graph-on-premises",
                        "impersonation.groups.staff.probes: graph is for Exchange Online tenants only; this "
                                + "group's tenant is on-premises, where Microsoft Graph cannot reach the mailboxes"),
                arguments("invalid-group-mailbox-malformed",
                        "impersonation.groups.canaries.mailboxes[1]: 'bob@@contoso.com' is not a well-formed SMTP "
                                + "address"),
                arguments("invalid-group-mailboxes-missing",
                        "impersonation.groups.canaries.mailboxes: the group has no mailboxes; set mailboxes or "
                                + "mailboxes-file"),
                arguments("invalid-group-mailboxes-file-unreadable",
                        "impersonation.groups.canaries.mailboxes-file: cannot read "
                                + "src/test/resources/config/files/absent (NoSuchFileException)"),
                arguments("invalid-group-mailboxes-file-not-utf-8",
                        "impersonation.groups.canaries.mailboxes-file: cannot read "
                                + "src/test/resources/config/files/mailboxes-latin-1.txt (MalformedInputException)"),
                arguments("invalid-group-mailboxes-file-entry",
                        "impersonation.groups.canaries.mailboxes-file "
                                + "(src/test/resources/config/files/mailboxes-malformed.txt, entry 2): "
                                + "'bob@@contoso.com' is not a well-formed SMTP address"),
                arguments("invalid-no-groups",
                        "impersonation.groups: no target group is configured; add at least one, for example "
                                + "impersonation.groups.canaries.tenant and impersonation.groups.canaries.mailboxes"),
                arguments("invalid-sharding-replica-index-out-of-range",
                        "impersonation.sharding.replica-index: is 2; with 2 replica(s) it must be between 0 and 1"),
                arguments("invalid-sharding-peers-count",
                        "impersonation.sharding.peers: lists 3 URL(s) for 2 replicas: give one per replica in index "
                                + "order, or one URL with {ordinal}"),
                arguments("invalid-sharding-peers-no-key",
                        "impersonation.sharding.peer-api-key: is required; give it through the environment or set "
                                + "peer-api-key-file"),
                arguments("invalid-sharding-peers-not-a-base-url",
                        "impersonation.sharding.peers: 'http://impersonation-probe-{ordinal}:8080/?x=1' is not a base "
                                + "URL: use http(s)://host:port with no user, query or fragment"),
                arguments("invalid-sharding-replica-index-unknown",
                        "impersonation.sharding.replica-index: is required with 2 replicas: HOSTNAME is not set; "
                                + "set this replica's index, 0 to 1"),
                arguments("invalid-api-key-not-a-hash",
                        "impersonation.api.keys.oncall.sha256: must be the key's SHA-256 as 64 hex digits (printf "
                                + "%s \"$KEY\" | sha256sum), not the key itself"),
                arguments("invalid-api-key-caller-name",
                        "impersonation.api.keys.on+call: the caller name must be 1 to 64 letters, digits or . _ @ "
                                + "-"),
                arguments("invalid-api-keys-same-hash",
                        "impersonation.api.keys.twin2.sha256: is the hash of another caller's key; give every "
                                + "caller its own key, so the audit log can tell them apart"),
                arguments("invalid-api-keys-file-unreadable",
                        "impersonation.api.keys-file: cannot read src/test/resources/config/files/absent "
                                + "(NoSuchFileException)"),
                arguments("invalid-api-keys-file-line",
                        "impersonation.api.keys-file: src/test/resources/config/files/api-keys-malformed.txt line "
                                + "1 must be 'caller sha256-hex role[,role]'"),
                arguments("invalid-api-keys-file-role",
                        "impersonation.api.keys-file: src/test/resources/config/files/api-keys-unknown-role.txt "
                                + "line 2: 'admin' is not a role: use read or check"),
                arguments("invalid-api-keys-file-no-role",
                        "impersonation.api.keys-file (src/test/resources/config/files/api-keys-no-role.txt line 1): "
                                + "needs at least one role: read, check"),
                arguments("invalid-api-keys-file-caller-twice",
                        "impersonation.api.keys-file: src/test/resources/config/files/api-keys-oncall.txt line 1: "
                                + "caller oncall is already defined"),
                arguments("invalid-oidc-audience-missing",
                        "impersonation.api.oidc.audience: is required with impersonation.api.oidc.issuer: without "
                                + "it, any token of that issuer, for any application, would be accepted"),
                arguments("invalid-oidc-issuer-plain-http",
                        "impersonation.api.oidc.issuer: 'http://login.contoso.com/v2.0' uses plain http; "
                                + "credentials would cross the network unencrypted. Use https (plain http is "
                                + "accepted only for a loopback address such as the built-in simulator)")
        );
    }

    /** The message of one fixture. */
    static String message(String fixture) {
        return fixtures().map(Arguments::get).filter(f -> f[0].equals(fixture)).map(f -> (String) f[1])
                .findFirst().orElseThrow();
    }

    /** How SmallRye reports a value its converter refused; the converter's own message comes last. */
    private static String unconvertible(String property, String value, String message) {
        return "java.lang.IllegalArgumentException: SRCFG00039: The config property " + property
                + " with the config value \"" + value + "\" threw an Exception whilst being converted " + message;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void stopsStartupWithItsMessage(String fixture, String message) {
        assertEquals(List.of(message), ConfigFixtures.problems(ConfigFixtures.properties(fixture)));
    }

    @Test
    void theValidConfigurationHasNoProblem() {
        assertEquals(List.of(), ConfigFixtures.problems(ConfigFixtures.valid()));
    }

    @Test
    void everyFixtureHasItsMessage() throws IOException {
        Set<String> files;
        try (Stream<Path> list = Files.list(ConfigFixtures.DIRECTORY)) {
            files = list.map(p -> p.getFileName().toString())
                    .filter(name -> name.startsWith("invalid-") && name.endsWith(".properties"))
                    .map(name -> name.substring(0, name.length() - ".properties".length()))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(files, fixtures().map(f -> (String) f.get()[0]).collect(Collectors.toCollection(TreeSet::new)));
    }
}
