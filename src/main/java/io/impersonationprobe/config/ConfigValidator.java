package io.impersonationprobe.config;

import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Shard;
import io.impersonationprobe.target.Target;
import io.impersonationprobe.target.TargetGroup;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The rules that span properties, checked once at startup, after Quarkus has checked each property on its own (its
 * type and the ranges on {@link ProbeConfig}). It reads what the configuration points to through the resolvers
 * (secrets, certificates, trust stores, mailbox lists, API keys, this replica's shard) and assembles the
 * {@link ValidatedConfig}. Every problem it finds is reported at once, each naming the property, so that what is left
 * of a broken deployment is fixed in one round trip.
 */
public final class ConfigValidator {
    private final Problems problems = new Problems();

    private ConfigValidator() {
    }

    /**
     * Validates the configuration and resolves its groups, or throws naming every problem.
     *
     * @param hostname this host's name ({@code HOSTNAME}), where a StatefulSet pod's ordinal gives its shard; null
     *                 when it is not set
     */
    public static ValidatedConfig validate(ProbeConfig config, String hostname) {
        return new ConfigValidator().validated(config, hostname);
    }

    private ValidatedConfig validated(ProbeConfig config, String hostname) {
        Map<String, ResolvedTenant> tenants = new TreeMap<>();
        config.tenants().forEach((id, tenant) -> tenant(id, tenant).ifPresent(t -> tenants.put(id, t)));
        List<TargetGroup> groups = groups(config);
        oidc(config.api().oidc());
        List<ApiKey> apiKeys = ApiKeyResolver.resolve(config.api(), problems);
        Optional<Shard> shard = ShardResolver.resolve(config.sharding(), hostname, problems);
        Peers peers = shard.map(s -> PeerResolver.resolve(config.sharding(), s, problems)).orElse(Peers.NONE);
        problems.throwIfAny();
        return new ValidatedConfig(Map.copyOf(tenants), groups, apiKeys, shard.orElseThrow(),
                config.metrics().perMailboxLimit(), config.probe().folder(), groups, peers);
    }

    private Optional<ResolvedTenant> tenant(String id, ProbeConfig.Tenant tenant) {
        String prefix = "impersonation.tenants." + id;
        int before = problems.count();
        secureUrl(prefix + ".ews-url", tenant.ewsUrl());
        boolean defaultEwsUrl = tenant.ewsUrl().toString().equals(ProbeConfig.EXCHANGE_ONLINE_EWS_URL);
        if (tenant.kind() == TenantKind.ON_PREMISES && defaultEwsUrl) {
            problems.add(prefix + ".ews-url", "an on-premises tenant needs its own EWS URL, for example "
                    + "https://mail.example.com/EWS/Exchange.asmx");
        }
        ProbeConfig.Auth auth = tenant.auth();
        if (auth.method().isOAuth()) {
            oauth(prefix + ".auth", tenant.kind(), auth);
        } else if (tenant.kind() == TenantKind.EXCHANGE_ONLINE) {
            problems.add(prefix + ".auth.method", "Exchange Online accepts only app-only OAuth for impersonation: use "
                    + "client-secret or client-certificate (ntlm and basic are for on-premises Exchange)");
        }
        Secret secret = null;
        ClientCertificate certificate = null;
        ServiceAccount account = null;
        switch (auth.method()) {
            case CLIENT_SECRET -> secret = SecretResolver.required(prefix + ".auth.client-secret", auth.clientSecret(),
                    auth.clientSecretFile(), problems).orElse(null);
            case CLIENT_CERTIFICATE -> certificate = CertificateResolver.resolve(prefix + ".auth", auth, problems)
                    .orElse(null);
            case NTLM, BASIC -> account = serviceAccount(prefix + ".auth", auth).orElse(null);
        }
        ResolvedTenant.AdminCredential admin = null;
        if (tenant.controlPlane().enabled() && tenant.kind() == TenantKind.EXCHANGE_ONLINE && auth.method().isOAuth()) {
            secureUrl(prefix + ".control-plane.admin-api-url", tenant.controlPlane().adminApiUrl());
            admin = tenant.controlPlane().auth()
                    .flatMap(separate -> adminCredential(prefix + ".control-plane.auth", separate)).orElse(null);
        }
        if (tenant.kind() == TenantKind.EXCHANGE_ONLINE) {
            secureUrl(prefix + ".graph.url", tenant.graph().url());
        }
        Optional<SSLContext> ssl = TrustStoreResolver.resolve(prefix + ".tls", tenant.tls(), problems);
        DirectorySettings directory = ssl.flatMap(context -> DirectoryResolver.resolve(prefix, tenant, context, problems))
                .orElse(null);
        if (problems.count() > before) {
            return Optional.empty();
        }
        return Optional.of(new ResolvedTenant(id, tenant, secret, certificate, account, ssl.orElseThrow(), admin,
                directory));
    }

    /** App-only OAuth: whose app, at which authority, for which resource. */
    private void oauth(String prefix, TenantKind kind, ProbeConfig.Auth auth) {
        required(prefix + ".directory", auth.directory());
        required(prefix + ".client-id", auth.clientId());
        secureUrl(prefix + ".authority", auth.authority());
        if (auth.authority().getPort() != -1) {
            problems.add(prefix + ".authority", "must not have a port (msal4j's token cache never hits for such an "
                    + "authority); use auth.authority-url-override to reach a token service on another port");
        }
        auth.authorityUrlOverride().ifPresent(url -> secureUrl(prefix + ".authority-url-override", url));
        if (kind == TenantKind.ON_PREMISES && auth.scope().equals(ProbeConfig.EXCHANGE_ONLINE_SCOPE)) {
            problems.add(prefix + ".scope", "an on-premises tenant with hybrid modern authentication needs its EWS "
                    + "host as the resource, for example https://mail.example.com/.default");
        }
    }

    private Optional<ServiceAccount> serviceAccount(String prefix, ProbeConfig.Auth auth) {
        required(prefix + ".username", auth.username());
        Optional<Secret> password = SecretResolver.required(prefix + ".password", auth.password(), auth.passwordFile(),
                problems);
        return auth.username().filter(name -> !name.isBlank())
                .flatMap(name -> password.map(p -> ServiceAccount.parse(name.strip(), p)));
    }

    /** The admin API's own app credentials: app-only OAuth, with a secret or a certificate. */
    private Optional<ResolvedTenant.AdminCredential> adminCredential(String prefix, ProbeConfig.Auth auth) {
        required(prefix + ".directory", auth.directory());
        required(prefix + ".client-id", auth.clientId());
        return switch (auth.method()) {
            case CLIENT_SECRET -> SecretResolver.required(prefix + ".client-secret", auth.clientSecret(),
                    auth.clientSecretFile(), problems).map(s -> new ResolvedTenant.AdminCredential(auth, s, null));
            case CLIENT_CERTIFICATE -> CertificateResolver.resolve(prefix, auth, problems)
                    .map(c -> new ResolvedTenant.AdminCredential(auth, null, c));
            case NTLM, BASIC -> {
                problems.add(prefix + ".method", "the admin API takes app-only OAuth: client-secret or "
                        + "client-certificate");
                yield Optional.empty();
            }
        };
    }

    private List<TargetGroup> groups(ProbeConfig config) {
        if (config.groups().isEmpty() && config.groupsRequired()) {
            problems.add("impersonation.groups", "no target group is configured; add at least one, for example "
                    + "impersonation.groups.canaries.tenant and impersonation.groups.canaries.mailboxes");
        }
        List<TargetGroup> groups = new ArrayList<>();
        config.groups().forEach((name, group) -> group(name, group, config.tenants()).ifPresent(groups::add));
        groups.sort(Comparator.comparing(TargetGroup::name));
        return List.copyOf(groups);
    }

    private Optional<TargetGroup> group(String name, ProbeConfig.Group group, Map<String, ProbeConfig.Tenant> tenants) {
        String prefix = "impersonation.groups." + name;
        int before = problems.count();
        ProbeConfig.Tenant tenant = tenants.get(group.tenant());
        if (tenant == null) {
            problems.add(prefix + ".tenant", "unknown tenant '" + group.tenant() + "'; configured tenants: "
                    + (tenants.isEmpty() ? "none" : String.join(", ", new TreeSet<>(tenants.keySet()))));
        }
        List<ProbeKind> probes = probes(prefix + ".probes", group.probes(), tenant);
        Set<String> mailboxes = MailboxResolver.resolve(prefix, group, problems);
        if (problems.count() == before && mailboxes.isEmpty()) {
            problems.add(prefix + ".mailboxes", "the group has no mailboxes; set mailboxes or mailboxes-file");
        }
        if (problems.count() > before) {
            return Optional.empty();
        }
        List<Target> targets = mailboxes.stream().map(m -> new Target(group.tenant(), name, m, group.expect())).toList();
        return Optional.of(new TargetGroup(name, group.tenant(), group.expect(), group.interval(), targets, probes,
                group.perMailboxSeries()));
    }

    /** Each kind once; graph only where Graph reaches the mailboxes (Exchange Online). */
    private List<ProbeKind> probes(String property, List<ProbeKind> configured, ProbeConfig.Tenant tenant) {
        Set<ProbeKind> seen = EnumSet.noneOf(ProbeKind.class);
        for (ProbeKind kind : configured) {
            if (!seen.add(kind)) {
                problems.add(property, "lists '" + kind.label() + "' twice");
            }
        }
        if (seen.contains(ProbeKind.GRAPH) && tenant != null && tenant.kind() != TenantKind.EXCHANGE_ONLINE) {
            problems.add(property, "graph is for Exchange Online tenants only; this group's tenant is on-premises, "
                    + "where Microsoft Graph cannot reach the mailboxes");
        }
        return List.copyOf(new LinkedHashSet<>(configured));
    }

    private void oidc(ProbeConfig.Api.Oidc oidc) {
        oidc.issuer().ifPresent(issuer -> {
            secureUrl("impersonation.api.oidc.issuer", issuer);
            if (oidc.audience().filter(a -> !a.isBlank()).isEmpty()) {
                problems.add("impersonation.api.oidc.audience", "is required with impersonation.api.oidc.issuer: "
                        + "without it, any token of that issuer, for any application, would be accepted");
            }
        });
    }

    /** Credentials and tokens travel on these URLs: https, or plain http only to this machine (the simulator). */
    private void secureUrl(String property, URI url) {
        if (url.getHost() == null || url.getScheme() == null) {
            problems.add(property, "'" + url + "' is not an absolute URL with a host");
        } else if ("http".equalsIgnoreCase(url.getScheme())) {
            if (!isLoopback(url.getHost())) {
                problems.add(property, "'" + url + "' uses plain http; credentials would cross the network "
                        + "unencrypted. Use https (plain http is accepted only for a loopback address such as the "
                        + "built-in simulator)");
            }
        } else if (!"https".equalsIgnoreCase(url.getScheme())) {
            problems.add(property, "'" + url + "' must be an https URL");
        }
    }

    /** Whether plain http may carry credentials to this host: only to this machine (the built-in simulator). */
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

    private void required(String property, Optional<String> value) {
        if (value.isEmpty() || value.get().isBlank()) {
            problems.add(property, "is required");
        }
    }
}
