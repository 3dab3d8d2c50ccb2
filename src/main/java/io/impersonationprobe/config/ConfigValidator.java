package io.impersonationprobe.config;

import io.impersonationprobe.Printable;
import io.impersonationprobe.target.MailboxAddress;
import io.impersonationprobe.target.MailboxListFile;
import io.impersonationprobe.target.PerMailboxSeries;
import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Shard;
import io.impersonationprobe.target.Target;
import io.impersonationprobe.target.TargetGroup;
import microsoft.exchange.webservices.data.core.enumeration.property.WellKnownFolderName;

import java.io.IOException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * The rules that span properties, checked once at startup. Every problem is reported at once, each naming the
 * property, so a broken deployment is fixed in one round trip.
 */
public final class ConfigValidator {
    static final Duration MIN_INTERVAL = Duration.ofSeconds(5);
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);

    private final List<String> problems = new ArrayList<>();

    private ConfigValidator() {
    }

    /** Validates the configuration and resolves its groups, or throws naming every problem. */
    public static ValidatedConfig validate(ProbeConfig config) {
        return validate(config, System.getenv("HOSTNAME"));
    }

    /** As {@link #validate(ProbeConfig)}, with the host name that a StatefulSet pod's ordinal comes from. */
    static ValidatedConfig validate(ProbeConfig config, String hostname) {
        ConfigValidator validator = new ConfigValidator();
        Map<String, ResolvedTenant> tenants = new TreeMap<>();
        config.tenants().forEach((id, tenant) -> validator.tenant(id, tenant).ifPresent(t -> tenants.put(id, t)));
        List<TargetGroup> groups = new ArrayList<>();
        config.groups().forEach((name, group) -> validator.group(name, group, config.tenants())
                .ifPresent(groups::add));
        validator.probe(config.probe());
        validator.scheduler(config.scheduler());
        if (config.metrics().perMailboxLimit() < 0) {
            validator.problem("impersonation.metrics.per-mailbox-limit", "is " + config.metrics().perMailboxLimit()
                    + "; it must be 0 (no series per mailbox for auto groups) or more");
        }
        List<ApiKey> apiKeys = validator.api(config.api());
        Shard shard = validator.shard(config.sharding(), hostname);
        if (config.groups().isEmpty() && config.groupsRequired()) {
            validator.problem("impersonation.groups", "no target group is configured; add at least one, for example "
                    + "impersonation.groups.canaries.tenant and impersonation.groups.canaries.mailboxes");
        }
        if (!validator.problems.isEmpty()) {
            throw new InvalidConfigurationException(validator.problems);
        }
        groups.sort((a, b) -> a.name().compareTo(b.name()));
        return new ValidatedConfig(Map.copyOf(tenants), List.copyOf(groups), apiKeys, shard,
                config.metrics().perMailboxLimit(), wellKnownFolder(config.probe().folder()));
    }

    private Optional<ResolvedTenant> tenant(String id, ProbeConfig.Tenant tenant) {
        String prefix = "impersonation.tenants." + id;
        int before = problems.size();
        if (tenant.concurrency() < 1 || tenant.concurrency() > ProbeConfig.MAX_CONCURRENCY) {
            problem(prefix + ".concurrency", "is " + tenant.concurrency() + "; it must be between 1 and "
                    + ProbeConfig.MAX_CONCURRENCY + " (Exchange allows " + ProbeConfig.MAX_CONCURRENCY
                    + " concurrent EWS requests per account)");
        }
        URI ewsUrl = tenant.ewsUrl();
        secureUrl(prefix + ".ews-url", ewsUrl);
        if (tenant.kind() == TenantKind.ON_PREMISES && ewsUrl.toString().equals(ProbeConfig.EXCHANGE_ONLINE_EWS_URL)) {
            problem(prefix + ".ews-url", "an on-premises tenant needs its own EWS URL, for example "
                    + "https://mail.example.com/EWS/Exchange.asmx");
        }
        ProbeConfig.Auth auth = tenant.auth();
        Secret secret = null;
        ClientCertificate certificate = null;
        ServiceAccount account = null;
        if (auth.method().isOAuth()) {
            required(prefix + ".auth.directory", auth.directory());
            required(prefix + ".auth.client-id", auth.clientId());
            secureUrl(prefix + ".auth.authority", auth.authority());
            if (auth.authority().getPort() != -1) {
                problem(prefix + ".auth.authority", "must not have a port (msal4j's token cache never hits for "
                        + "such an authority); use auth.authority-url-override to reach a token service on another port");
            }
            auth.authorityUrlOverride().ifPresent(u -> secureUrl(prefix + ".auth.authority-url-override", u));
            positive(prefix + ".auth.token-timeout", auth.tokenTimeout());
            if (tenant.kind() == TenantKind.ON_PREMISES && auth.scope().equals(ProbeConfig.EXCHANGE_ONLINE_SCOPE)) {
                problem(prefix + ".auth.scope", "an on-premises tenant with hybrid modern authentication needs "
                        + "its EWS host as the resource, for example https://mail.example.com/.default");
            }
        } else if (tenant.kind() == TenantKind.EXCHANGE_ONLINE) {
            problem(prefix + ".auth.method", "Exchange Online accepts only app-only OAuth for impersonation: use "
                    + "client-secret or client-certificate (ntlm and basic are for on-premises Exchange)");
        }
        switch (auth.method()) {
            case CLIENT_SECRET -> secret = secret(prefix + ".auth.client-secret", auth.clientSecret(),
                    auth.clientSecretFile(), true);
            case CLIENT_CERTIFICATE -> certificate = certificate(prefix + ".auth", auth);
            case NTLM, BASIC -> {
                required(prefix + ".auth.username", auth.username());
                Secret password = secret(prefix + ".auth.password", auth.password(), auth.passwordFile(), true);
                if (auth.username().isPresent() && password != null) {
                    account = ServiceAccount.parse(auth.username().get().strip(), password);
                }
            }
        }
        ResolvedTenant.AdminCredential admin = null;
        if (tenant.controlPlane().enabled() && tenant.kind() == TenantKind.EXCHANGE_ONLINE && auth.method().isOAuth()) {
            if (tenant.controlPlane().auth().isPresent()) {
                admin = adminCredential(prefix + ".control-plane.auth", tenant.controlPlane().auth().get());
            }
            secureUrl(prefix + ".control-plane.admin-api-url", tenant.controlPlane().adminApiUrl());
            positive(prefix + ".control-plane.timeout", tenant.controlPlane().timeout());
            if (tenant.controlPlane().authorizationSample() < 0) {
                problem(prefix + ".control-plane.authorization-sample", "must be 0 (no checks) or more");
            }
            positive(prefix + ".control-plane.propagation-window", tenant.controlPlane().propagationWindow());
            if (tenant.controlPlane().interval().compareTo(MIN_INTERVAL) < 0) {
                problem(prefix + ".control-plane.interval", "is " + tenant.controlPlane().interval()
                        + "; the shortest allowed is " + MIN_INTERVAL);
            }
        }
        if (tenant.kind() == TenantKind.EXCHANGE_ONLINE) {
            secureUrl(prefix + ".graph.url", tenant.graph().url());
        }
        SSLContext ssl = sslContext(prefix + ".tls", tenant.tls());
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new ResolvedTenant(id, tenant, secret, certificate, account, ssl, admin));
    }

    private ResolvedTenant.AdminCredential adminCredential(String prefix, ProbeConfig.Auth auth) {
        required(prefix + ".directory", auth.directory());
        required(prefix + ".client-id", auth.clientId());
        switch (auth.method()) {
            case CLIENT_SECRET -> {
                return new ResolvedTenant.AdminCredential(auth,
                        secret(prefix + ".client-secret", auth.clientSecret(), auth.clientSecretFile(), true), null);
            }
            case CLIENT_CERTIFICATE -> {
                return new ResolvedTenant.AdminCredential(auth, null, certificate(prefix, auth));
            }
            default -> {
                problem(prefix + ".method", "the admin API takes app-only OAuth: client-secret or client-certificate");
                return null;
            }
        }
    }

    /**
     * A secret given either inline (through the environment) or as a file.
     *
     * @param property the inline property; the file property is the same name with {@code -file}
     */
    private Secret secret(String property, Optional<Secret> inline, Optional<Path> file, boolean required) {
        if (inline.isPresent() && file.isPresent()) {
            problem(property, "set either " + leaf(property) + " or " + leaf(property) + "-file, not both");
            return null;
        }
        if (file.isPresent()) {
            try {
                String value = Files.readString(file.get(), StandardCharsets.UTF_8).strip();
                if (value.isEmpty()) {
                    problem(property + "-file", "the file " + file.get() + " is empty");
                    return null;
                }
                return Secret.of(value);
            } catch (IOException e) {
                problem(property + "-file", "cannot read " + file.get() + " (" + e.getClass().getSimpleName() + ")");
                return null;
            }
        }
        if (inline.isEmpty() || inline.get().isBlank()) {
            if (required) {
                problem(property, "is required; give it through the environment or set " + leaf(property) + "-file");
            }
            return null;
        }
        return inline.get();
    }

    private static String leaf(String property) {
        return property.substring(property.lastIndexOf('.') + 1);
    }

    private ClientCertificate certificate(String prefix, ProbeConfig.Auth auth) {
        boolean pkcs12 = auth.certificateFile().isPresent();
        boolean pem = auth.certificatePemFile().isPresent() || auth.privateKeyPemFile().isPresent();
        if (pkcs12 == pem) {
            problem(prefix + ".certificate-file", "set either certificate-file (PKCS12) or both certificate-pem-file "
                    + "and private-key-pem-file");
            return null;
        }
        try {
            if (pkcs12) {
                Secret password = secret(prefix + ".certificate-password", auth.certificatePassword(),
                        auth.certificatePasswordFile(), false);
                return KeyMaterial.pkcs12(auth.certificateFile().get(),
                        password == null ? new char[0] : password.reveal().toCharArray());
            }
            if (auth.certificatePemFile().isEmpty() || auth.privateKeyPemFile().isEmpty()) {
                boolean certMissing = auth.certificatePemFile().isEmpty();
                problem(prefix + (certMissing ? ".certificate-pem-file" : ".private-key-pem-file"),
                        "is required with " + (certMissing ? "private-key-pem-file" : "certificate-pem-file"));
                return null;
            }
            return KeyMaterial.pem(auth.certificatePemFile().get(), auth.privateKeyPemFile().get());
        } catch (IOException e) {
            problem(prefix + (pkcs12 ? ".certificate-file" : ".certificate-pem-file"),
                    "cannot read it (" + e.getClass().getSimpleName() + ")");
        } catch (GeneralSecurityException e) {
            problem(prefix + (pkcs12 ? ".certificate-file" : ".private-key-pem-file"), e.getMessage());
        }
        return null;
    }

    private SSLContext sslContext(String prefix, ProbeConfig.Tls tls) {
        try {
            if (tls.trustStore().isEmpty()) {
                return SSLContext.getDefault();
            }
            Secret password = tls.trustStorePassword().orElse(null);
            KeyStore store = KeyMaterial.trustStore(tls.trustStore().get(),
                    password == null ? null : password.reveal().toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            problem(prefix + ".trust-store", "cannot read " + tls.trustStore().get() + " (" + e.getClass().getSimpleName() + ")");
        } catch (GeneralSecurityException e) {
            problem(prefix + ".trust-store", e.getMessage());
        }
        return null;
    }

    private Optional<TargetGroup> group(String name, ProbeConfig.Group group, Map<String, ProbeConfig.Tenant> tenants) {
        String prefix = "impersonation.groups." + name;
        int before = problems.size();
        Set<String> tenantIds = tenants.keySet();
        if (!tenantIds.contains(group.tenant())) {
            problem(prefix + ".tenant", "unknown tenant '" + group.tenant() + "'; configured tenants: "
                    + (tenantIds.isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(tenantIds))));
        }
        List<ProbeKind> probes = probeKinds(prefix + ".probes", group.probes(), tenants.get(group.tenant()));
        if (group.interval().compareTo(MIN_INTERVAL) < 0) {
            problem(prefix + ".interval", "is " + group.interval() + "; the shortest allowed is " + MIN_INTERVAL);
        }
        PerMailboxSeries series = Arrays.stream(PerMailboxSeries.values())
                .filter(s -> s.label().equals(group.perMailboxSeries().strip().toLowerCase(Locale.ROOT)))
                .findFirst().orElse(null);
        if (series == null) {
            problem(prefix + ".per-mailbox-series", "is '" + Printable.of(group.perMailboxSeries(), 40)
                    + "'; it must be true, false or auto");
        }
        Set<String> mailboxes = new LinkedHashSet<>();
        List<String> inline = group.mailboxes().orElse(List.of());
        for (int i = 0; i < inline.size(); i++) {
            mailbox(prefix + ".mailboxes[" + i + "]", inline.get(i).strip(), mailboxes);
        }
        group.mailboxesFile().ifPresent(file -> {
            try {
                List<String> lines = MailboxListFile.read(file);
                for (int i = 0; i < lines.size(); i++) {
                    mailbox(prefix + ".mailboxes-file (" + file + ", entry " + (i + 1) + ")", lines.get(i), mailboxes);
                }
            } catch (IOException e) {
                problem(prefix + ".mailboxes-file", "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
            }
        });
        if (problems.size() == before && mailboxes.isEmpty()) {
            problem(prefix + ".mailboxes", "the group has no mailboxes; set mailboxes or mailboxes-file");
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        List<Target> targets = mailboxes.stream()
                .map(m -> new Target(group.tenant(), name, m, group.expect())).toList();
        return Optional.of(new TargetGroup(name, group.tenant(), group.expect(), group.interval(), targets, probes,
                series));
    }

    /** The group's probe kinds, known and without repeats; graph only where Graph reaches the mailboxes (Exchange Online). */
    private List<ProbeKind> probeKinds(String property, List<String> configured, ProbeConfig.Tenant tenant) {
        List<ProbeKind> kinds = new ArrayList<>();
        for (String text : configured) {
            String label = text.strip().toLowerCase(Locale.ROOT);
            if (label.isEmpty()) {
                continue;
            }
            Optional<ProbeKind> kind = ProbeKind.ofLabel(label);
            if (kind.isEmpty()) {
                problem(property, "unknown probe '" + Printable.of(text, 40) + "'; probes are "
                        + String.join(", ", ProbeKind.labels()));
            } else if (kinds.contains(kind.get())) {
                problem(property, "lists '" + label + "' twice");
            } else {
                kinds.add(kind.get());
            }
        }
        if (kinds.isEmpty() && configured.stream().allMatch(t -> t.isBlank())) {
            problem(property, "names no probe; use ews, graph or ews,graph");
        }
        if (kinds.contains(ProbeKind.GRAPH) && tenant != null && tenant.kind() != TenantKind.EXCHANGE_ONLINE) {
            problem(property, "graph is for Exchange Online tenants only; this group's tenant is on-premises, "
                    + "where Microsoft Graph cannot reach the mailboxes");
        }
        return List.copyOf(kinds);
    }

    private void mailbox(String property, String text, Set<String> into) {
        String problem = MailboxAddress.problemWith(text);
        if (problem != null) {
            problem(property, "'" + Printable.of(text, 80) + "' " + problem);
        } else {
            into.add(text.toLowerCase(Locale.ROOT));
        }
    }

    private void probe(ProbeConfig.Probe probe) {
        positive("impersonation.probe.timeout", probe.timeout());
        if (probe.timeout().compareTo(MAX_TIMEOUT) > 0) {
            problem("impersonation.probe.timeout", "is " + probe.timeout() + "; the longest allowed is " + MAX_TIMEOUT);
        }
        if (wellKnownFolder(probe.folder()) == null) {
            problem("impersonation.probe.folder", "'" + Printable.of(probe.folder(), 80) + "' is not a well-known folder name "
                    + "(for example inbox, calendar, contacts, drafts)");
        }
    }

    private void scheduler(ProbeConfig.Scheduler scheduler) {
        if (!(scheduler.jitter() >= 0 && scheduler.jitter() <= 1)) {
            problem("impersonation.scheduler.jitter", "is " + scheduler.jitter() + "; it must be between 0 and 1");
        }
    }

    private Shard shard(ProbeConfig.Sharding sharding, String hostname) {
        int replicas = sharding.replicas();
        if (replicas < 1) {
            problem("impersonation.sharding.replicas", "is " + replicas + "; it must be 1 or more");
            return null;
        }
        if (sharding.replicaIndex().isPresent()) {
            int index = sharding.replicaIndex().get();
            if (index < 0 || index >= replicas) {
                problem("impersonation.sharding.replica-index", "is " + index + "; with " + replicas
                        + " replica(s) it must be between 0 and " + (replicas - 1));
                return null;
            }
            return new Shard(replicas, index);
        }
        if (replicas == 1) {
            return Shard.SINGLE;
        }
        OptionalInt ordinal = Shard.ordinal(hostname);
        if (ordinal.isEmpty()) {
            problem("impersonation.sharding.replica-index", "is required with " + replicas + " replicas: "
                    + (hostname == null ? "HOSTNAME is not set" : "the host name '" + Printable.of(hostname, 80)
                    + "' does not end in -<n> as a StatefulSet pod's does") + "; set this replica's index, 0 to "
                    + (replicas - 1));
            return null;
        }
        if (ordinal.getAsInt() >= replicas) {
            problem("impersonation.sharding.replica-index", "is not set, and the host name '" + Printable.of(hostname, 80)
                    + "' gives index " + ordinal.getAsInt() + ", but impersonation.sharding.replicas is " + replicas
                    + "; it must be between 0 and " + (replicas - 1) + " (does the StatefulSet have more pods?)");
            return null;
        }
        return new Shard(replicas, ordinal.getAsInt());
    }

    /** The ews-java-api folder for a configured name such as {@code inbox}, or null when there is none. */
    private static WellKnownFolderName wellKnownFolder(String name) {
        return Arrays.stream(WellKnownFolderName.values())
                .filter(f -> f.name().equalsIgnoreCase(name.replace("-", "")))
                .findFirst().orElse(null);
    }

    /** Credentials and tokens travel on these URLs: https, or plain http only to this machine (the simulator). */
    private void secureUrl(String property, URI url) {
        if (url.getHost() == null || url.getScheme() == null) {
            problem(property, "'" + url + "' is not an absolute URL with a host");
        } else if ("http".equalsIgnoreCase(url.getScheme())) {
            if (!isLoopback(url.getHost())) {
                problem(property, "'" + url + "' uses plain http; credentials would cross the network unencrypted. "
                        + "Use https (plain http is accepted only for a loopback address such as the built-in simulator)");
            }
        } else if (!"https".equalsIgnoreCase(url.getScheme())) {
            problem(property, "'" + url + "' must be an https URL");
        }
    }

    static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        // Only literal addresses: resolving a name here would make validation depend on DNS.
        if (!host.matches("[0-9.]+|\\[[0-9a-fA-F:.]+\\]")) {
            return false;
        }
        try {
            return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private static final java.util.regex.Pattern SHA256_HEX = java.util.regex.Pattern.compile("[0-9a-fA-F]{64}");
    private static final java.util.regex.Pattern CALLER = java.util.regex.Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    private static final java.util.regex.Pattern DOMAIN = java.util.regex.Pattern.compile(
            "(?i)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}");

    private List<ApiKey> api(ProbeConfig.Api api) {
        Map<String, ApiKey> keys = new TreeMap<>();
        api.keys().forEach((caller, key) -> {
            String prefix = "impersonation.api.keys." + caller;
            apiKey(prefix, caller, key.sha256(), key.roles()).ifPresent(k -> keys.put(caller, k));
        });
        api.keysFile().ifPresent(file -> {
            List<String> lines;
            try {
                lines = java.nio.file.Files.readAllLines(file);
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                problem("impersonation.api.keys-file", "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
                return;
            }
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String where = "impersonation.api.keys-file";
                String[] fields = line.split("\\s+");
                if (fields.length != 3) {
                    // The line may hold a key pasted by mistake: name the line, never echo it.
                    problem(where, file + " line " + (i + 1) + " must be 'caller sha256-hex role[,role]'");
                    continue;
                }
                List<ApiRole> roles = new ArrayList<>();
                boolean rolesValid = true;
                for (String role : fields[2].split(",")) {
                    try {
                        roles.add(ApiRole.valueOf(role.strip().toUpperCase(java.util.Locale.ROOT)));
                    } catch (IllegalArgumentException e) {
                        problem(where, file + " line " + (i + 1) + ": unknown role '" + Printable.of(role, 20)
                                + "'; roles are read and check");
                        rolesValid = false;
                    }
                }
                if (!rolesValid) {
                    continue;
                }
                String caller = fields[0];
                if (keys.containsKey(caller)) {
                    problem(where, file + " line " + (i + 1) + ": caller " + Printable.of(caller, 64) + " is already defined");
                    continue;
                }
                apiKey(where + " (" + file + " line " + (i + 1) + ")", caller, fields[1], roles)
                        .ifPresent(k -> keys.put(caller, k));
            }
        });
        Set<String> hashes = new java.util.HashSet<>();
        for (ApiKey key : keys.values()) {
            if (!hashes.add(java.util.HexFormat.of().formatHex(key.sha256()))) {
                problem("impersonation.api.keys." + key.caller() + ".sha256", "is the hash of another caller's key; "
                        + "give every caller its own key, so the audit log can tell them apart");
            }
        }
        var checks = api.checks();
        if (checks.perCallerPerMinute() < 1) {
            problem("impersonation.api.checks.per-caller-per-minute", "must be at least 1, is " + checks.perCallerPerMinute());
        }
        if (checks.maxConcurrent() < 1 || checks.maxConcurrent() > ProbeConfig.MAX_CONCURRENCY) {
            problem("impersonation.api.checks.max-concurrent", "must be between 1 and " + ProbeConfig.MAX_CONCURRENCY
                    + ", is " + checks.maxConcurrent());
        }
        checks.allowedDomains().ifPresent(domains -> domains.forEach(domain -> {
            if (!DOMAIN.matcher(domain).matches()) {
                problem("impersonation.api.checks.allowed-domains", "'" + Printable.of(domain, 80)
                        + "' is not a domain name such as contoso.com");
            }
        }));
        api.oidc().issuer().ifPresent(issuer -> {
            secureUrl("impersonation.api.oidc.issuer", issuer);
            if (api.oidc().audience().filter(a -> !a.isBlank()).isEmpty()) {
                problem("impersonation.api.oidc.audience", "is required with impersonation.api.oidc.issuer: without "
                        + "it, any token of that issuer, for any application, would be accepted");
            }
        });
        return List.copyOf(keys.values());
    }

    private Optional<ApiKey> apiKey(String property, String caller, String sha256, List<ApiRole> roles) {
        int before = problems.size();
        if (!CALLER.matcher(caller).matches()) {
            problem(property, "the caller name must be 1 to 64 letters, digits or . _ @ -");
        }
        if (!SHA256_HEX.matcher(sha256.strip()).matches()) {
            problem(property.contains("keys-file") ? property : property + ".sha256",
                    "must be the key's SHA-256 as 64 hex digits (printf %s \"$KEY\" | sha256sum), not the key itself");
        }
        if (roles.isEmpty()) {
            problem(property.contains("keys-file") ? property : property + ".roles", "needs at least one role: read, check");
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new ApiKey(caller, java.util.HexFormat.of().parseHex(sha256.strip().toLowerCase(java.util.Locale.ROOT)),
                Set.copyOf(roles)));
    }

    private void positive(String property, Duration value) {
        if (value.isNegative() || value.isZero()) {
            problem(property, "must be longer than zero, is " + value);
        }
    }

    private void required(String property, Optional<String> value) {
        if (value.isEmpty() || value.get().isBlank()) {
            problem(property, "is required");
        }
    }

    private void problem(String property, String message) {
        problems.add(property + ": " + message);
    }

}
