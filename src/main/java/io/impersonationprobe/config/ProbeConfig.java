package io.impersonationprobe.config;

import io.impersonationprobe.target.Expectation;
import io.impersonationprobe.target.PerMailboxSeries;
import io.impersonationprobe.target.ProbeKind;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import microsoft.exchange.webservices.data.core.enumeration.property.WellKnownFolderName;
import org.hibernate.validator.constraints.Range;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the daemon probes and how. A wrong configuration stops startup in up to three steps, each reporting all
 * of its problems with their properties: values that cannot be read as their type (the closed sets say which values
 * there are, through {@link EnumConverters}), then values out of their range (the Bean Validation constraints here,
 * which Quarkus checks when it maps the configuration), then the rules that span properties and what the
 * configuration points to, such as files and secrets ({@link ConfigValidator}).
 */
@ConfigMapping(prefix = "impersonation")
public interface ProbeConfig {
    String EXCHANGE_ONLINE_EWS_URL = "https://outlook.office365.com/EWS/Exchange.asmx";
    String EXCHANGE_ONLINE_SCOPE = "https://outlook.office365.com/.default";
    String GRAPH_URL = "https://graph.microsoft.com";
    String GRAPH_SCOPE = "https://graph.microsoft.com/.default";
    /** Exchange's EWSMaxConcurrency in Exchange Online: more parallel requests per account are refused. */
    int MAX_CONCURRENCY = 27;

    /** Exchange organisations to probe, by an id of your choosing; the id is the {@code tenant} label of every metric. */
    Map<String, Tenant> tenants();

    /** Target groups, by name; the name is the {@code group} label. Each group probes its mailboxes at its own interval. */
    Map<String, Group> groups();

    /**
     * Whether startup fails when no target group is configured, as a daemon that probes nothing is almost always a
     * mistake. Off only for a process meant to be idle: the {@code simulator} profile, which runs the simulated
     * tenant alone.
     */
    @WithDefault("true")
    boolean groupsRequired();

    /** How each probe runs. */
    Probe probe();

    /** How the scheduler spreads probe cycles. */
    Scheduler scheduler();

    /** What the metrics publish. */
    Metrics metrics();

    /** How several replicas split the targets between them; one replica probes everything by default. */
    Sharding sharding();

    /** The on-demand API ({@code /api/v1}, {@code /probe}): who may call it, and how much. */
    Api api();

    /** What the daemon keeps on disk so that a restart loses nothing that matters. */
    State state();

    interface Tenant {
        /** {@code exchange-online} (app-only OAuth, RBAC for Applications) or {@code on-premises} (ApplicationImpersonation). */
        @WithConverter(EnumConverters.TenantKinds.class)
        TenantKind kind();

        /**
         * The EWS endpoint. Exchange Online has one fixed URL (Autodiscover cannot be used with app-only tokens);
         * on-premises tenants must set their own, for example {@code https://mail.example.com/EWS/Exchange.asmx}.
         */
        @WithName("ews-url")
        @WithDefault(EXCHANGE_ONLINE_EWS_URL)
        URI ewsUrl();

        /** Probes in flight at once for this tenant, 1 to 27: Exchange allows 27 concurrent EWS requests per account. */
        @WithDefault("8")
        @Range(min = 1, max = MAX_CONCURRENCY, message = "is ${validatedValue}; it must be between 1 and " + MAX_CONCURRENCY
                + " (Exchange allows " + MAX_CONCURRENCY + " concurrent EWS requests per account)")
        int concurrency();

        /** How the daemon authenticates to this tenant. */
        Auth auth();

        /** TLS settings for this tenant's EWS endpoint. */
        Tls tls();

        /** The Exchange Online control plane: the admin API the daemon polls for the org's state. */
        // Named, because SmallRye's Bean Validation names a nested group by its method name (controlPlane).
        @WithName("control-plane")
        ControlPlane controlPlane();

        /** Microsoft Graph, for groups that probe with {@code graph} (Exchange Online tenants only). */
        Graph graph();
    }

    interface Auth {
        /**
         * {@code client-secret} or {@code client-certificate} (app-only OAuth, Exchange Online or hybrid), or
         * {@code ntlm} or {@code basic} (an on-premises service account holding ApplicationImpersonation).
         */
        @WithDefault("client-secret")
        @WithConverter(EnumConverters.AuthMethods.class)
        AuthMethod method();

        /** The Entra ID directory (tenant) ID or a verified domain, for example {@code contoso.onmicrosoft.com}. */
        Optional<String> directory();

        /** The application (client) ID of the app registration. */
        Optional<String> clientId();

        /**
         * The client secret. Give it through the environment (for tenant {@code contoso}:
         * {@code IMPERSONATION_TENANTS_CONTOSO_AUTH_CLIENT_SECRET}) or use {@code client-secret-file}; never write it
         * into a properties file that is checked in.
         */
        Optional<Secret> clientSecret();

        /** A file whose content (trimmed) is the client secret, such as a mounted Kubernetes secret. */
        Optional<Path> clientSecretFile();

        /** For client-certificate: a PKCS12 file (.pfx/.p12) holding exactly one private key and its certificate. */
        Optional<Path> certificateFile();

        /** The PKCS12 file's password (give it through the environment). */
        Optional<Secret> certificatePassword();

        /** A file whose content (trimmed) is the PKCS12 password. */
        Optional<Path> certificatePasswordFile();

        /** For client-certificate, instead of a PKCS12 file: the certificate in PEM (the first one is the app's). */
        Optional<Path> certificatePemFile();

        /** The unencrypted private key in PEM (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY"). */
        Optional<Path> privateKeyPemFile();

        /** For ntlm and basic: the service account, as {@code DOMAIN\\name} or {@code name@domain}. */
        Optional<String> username();

        /** The service account's password (give it through the environment). */
        Optional<Secret> password();

        /** A file whose content (trimmed) is the service account's password. */
        Optional<Path> passwordFile();

        /** The Entra ID authority host. Keep it without a port: msal4j's token cache never hits for one with a port. */
        @WithDefault("https://login.microsoftonline.com")
        URI authority();

        /**
         * Sends token requests to this base URL (scheme, host and port) instead of the authority's host, keeping the
         * authority itself unchanged. For the built-in simulator or an egress proxy; unset in production.
         */
        Optional<URI> authorityUrlOverride();

        /**
         * The OAuth scope requested for EWS. On-premises Exchange with hybrid modern authentication takes the EWS
         * host as the resource, for example {@code https://mail.example.com/.default}.
         */
        @WithDefault(EXCHANGE_ONLINE_SCOPE)
        String scope();

        /** Timeout for one token request. */
        @WithDefault("10s")
        @DurationMin(inclusive = false, message = "is ${validatedValue}; it must be longer than zero")
        Duration tokenTimeout();
    }

    interface Tls {
        /**
         * A trust store (PKCS12 or JKS) with the CA certificates to trust for this tenant instead of the JVM's
         * defaults, for an on-premises server with an internal CA. Certificates are always verified.
         */
        Optional<Path> trustStore();

        /** The trust store's password, if it has one. */
        Optional<Secret> trustStorePassword();
    }

    interface ControlPlane {
        /**
         * Polls the Exchange Online admin API (Get-OrganizationConfig) with the tenant's app credentials; the app
         * needs the Exchange.ManageAsApp permission and a read role such as View-Only Organization Management.
         * Exchange Online tenants with app-only OAuth only; on-premises Exchange has no such API.
         */
        @WithDefault("true")
        boolean enabled();

        /** The admin API's base URL. */
        @WithDefault("https://outlook.office365.com")
        URI adminApiUrl();

        /**
         * How often the control plane is read: the organisation's configuration (IsDehydrated, EwsEnabled,
         * EwsAllowedAppIDs), the role assignments that grant mailbox access and their management scopes.
         */
        @WithDefault("5m")
        @DurationMin(seconds = 5, message = "is ${validatedValue}; the shortest allowed is PT5S (every poll makes "
                + "several admin API calls, and Exchange Online throttles the admin API)")
        Duration interval();

        /** Timeout of one admin API call. */
        @WithDefault("30s")
        @DurationMin(inclusive = false, message = "is ${validatedValue}; it must be longer than zero")
        Duration timeout();

        /**
         * Separate app credentials for the admin API (client-secret or client-certificate, same properties as the
         * tenant's auth), when the probing app must not hold Exchange.ManageAsApp; unset, the tenant's own are used.
         */
        Optional<Auth> auth();

        /**
         * Targets checked with Test-ServicePrincipalAuthorization per poll, in rotation: the configured truth that
         * bypasses Exchange's permission cache, compared with what the probes see.
         */
        @WithDefault("20")
        @Min(value = 0, message = "is ${validatedValue}; it must be 0 (no checks) or more")
        int authorizationSample();

        /**
         * How long a configured grant may take to become effective before it is reported STUCK; Exchange Online
         * caches grants for 30 min to 2 h.
         */
        @WithDefault("2h")
        @DurationMin(inclusive = false, message = "is ${validatedValue}; it must be longer than zero")
        Duration propagationWindow();

        /**
         * How long a change of the organisation's EwsEnabled may take before targets still refused by it are reported
         * STUCK; Exchange Online documents about an hour.
         */
        @WithDefault("1h")
        @DurationMin(inclusive = false, message = "is ${validatedValue}; it must be longer than zero")
        Duration ewsEnabledPropagationWindow();

        /**
         * How long a change of EwsAllowedAppIDs may take before targets still refused by it are reported STUCK;
         * Exchange Online documents up to 24 h (its configuration cache).
         */
        @WithDefault("24h")
        @DurationMin(inclusive = false, message = "is ${validatedValue}; it must be longer than zero")
        Duration allowListPropagationWindow();

        /** On-premises Exchange: the Active Directory that holds its RBAC, read over LDAP. */
        Ldap ldap();
    }

    interface Ldap {
        /**
         * The domain controller, {@code ldaps://host[:port]} (636 by default) or {@code ldap://host[:port]} (389)
         * with {@code start-tls}; plain LDAP only to a loopback address. Unset: the on-premises control plane is not
         * read and the probes alone tell what works.
         */
        Optional<URI> url();

        /** Upgrades an {@code ldap://} connection with StartTLS before the bind. */
        @WithDefault("false")
        boolean startTls();

        /** The DN the daemon binds as, for example {@code CN=svc-rbac-reader,OU=Service Accounts,DC=corp,DC=example,DC=com}. */
        Optional<String> bindDn();

        /**
         * The bind password. Give it through the environment (for tenant {@code corp}:
         * {@code IMPERSONATION_TENANTS_CORP_CONTROL_PLANE_LDAP_BIND_PASSWORD}) or use {@code bind-password-file}.
         */
        Optional<Secret> bindPassword();

        /** A file whose content (trimmed) is the bind password. */
        Optional<Path> bindPasswordFile();

        /**
         * The probing service account whose impersonation is predicted: its DN, {@code DOMAIN\name} or UPN. Unset:
         * the tenant's {@code auth.username}.
         */
        Optional<String> serviceAccount();

        /** How long connecting (TCP and TLS) may take. */
        @WithDefault("10s")
        @DurationMin(inclusive = false, message = "is ${validatedValue}; it must be longer than zero")
        Duration connectTimeout();

        /** How long the directory may take to answer one request (each page of a search). */
        @WithDefault("30s")
        @DurationMin(inclusive = false, message = "is ${validatedValue}; it must be longer than zero")
        Duration responseTimeout();

        /** Entries per page of a paged search (Active Directory's MaxPageSize is 1000). */
        @WithDefault("500")
        @Range(min = 1, max = 1000, message = "is ${validatedValue}; it must be between 1 and 1000 (Active "
                + "Directory's default MaxPageSize)")
        int pageSize();

        /** The most entries one search may return; a larger answer fails the poll as {@code too_large}. */
        @WithDefault("20000")
        @Min(value = 1, message = "is ${validatedValue}; it must be 1 or more")
        int sizeLimit();

        /**
         * How long a change in Active Directory may take to reach EWS: EWS caches the caller's RBAC for 5 minutes,
         * plus AD replication to the domain controller Exchange reads. A prediction the probe contradicts is
         * PENDING within it after the change, then MISMATCH.
         */
        @WithDefault("20m")
        @DurationMin(inclusive = false, message = "is ${validatedValue}; it must be longer than zero")
        Duration cacheWindow();
    }

    interface Graph {
        /** Microsoft Graph's base URL; the probe sends {@code GET /v1.0/users/{mailbox}/mailFolders/inbox?$select=id}. */
        @WithDefault(GRAPH_URL)
        URI url();

        /**
         * The OAuth scope requested for Graph with the tenant's app credentials; the app needs a Graph mail role,
         * such as RBAC for Applications' "Application Mail.ReadBasic", scoped to the mailboxes it may reach.
         */
        @WithDefault(GRAPH_SCOPE)
        String scope();
    }

    interface Group {
        /** The tenant id (a key under {@code impersonation.tenants}) whose mailboxes this group holds. */
        String tenant();

        /**
         * {@code allow}: the daemon must be able to act as these mailboxes. {@code deny}: it must not (for example
         * executives outside the application's scope); reaching one is a scope leak.
         */
        @WithDefault("allow")
        @WithConverter(EnumConverters.Expectations.class)
        Expectation expect();

        /** Mailboxes (SMTP addresses), comma-separated. Combined with {@code mailboxes-file} when both are set. */
        Optional<List<String>> mailboxes();

        /** A file with one SMTP address per line; blank lines and lines starting with {@code #} are ignored. */
        Optional<Path> mailboxesFile();

        /** How often every mailbox of the group is probed. */
        @WithDefault("5m")
        @DurationMin(seconds = 5, message = "is ${validatedValue}; the shortest allowed is PT5S (every cycle sends "
                + "a request per mailbox and probe kind, and Exchange throttles an account that sends too many)")
        Duration interval();

        /**
         * The probe kinds run for every mailbox, comma-separated: {@code ews}, {@code graph} (Exchange Online only),
         * or both, which shows the group's readiness for the move from EWS to Microsoft Graph.
         */
        @WithDefault("ews")
        @WithConverter(EnumConverters.ProbeKinds.class)
        List<ProbeKind> probes();

        /**
         * Series per mailbox ({@code mailbox} label) for this group: {@code true} always (canaries), {@code false}
         * never, {@code auto} while the replica's targets stay within {@code impersonation.metrics.per-mailbox-limit}.
         * Without them, {@code impersonation_targets} counts the group's targets by state and the API lists them.
         */
        @WithDefault("auto")
        @WithConverter(EnumConverters.PerMailboxSeriesChoices.class)
        PerMailboxSeries perMailboxSeries();
    }

    interface Probe {
        /** Deadline for one probe, token included; a server that is slower is reported as {@code TIMEOUT}. */
        @WithDefault("20s")
        @DurationMin(inclusive = false, message = "is ${validatedValue}; it must be longer than zero")
        @DurationMax(minutes = 5, message = "is ${validatedValue}; the longest allowed is PT5M (a server that does "
                + "not answer would hold one of the tenant's concurrent requests that long)")
        Duration timeout();

        /** The well-known folder whose ID the EWS probe reads, such as {@code inbox}; the probe never reads mail. */
        @WithDefault("inbox")
        @WithConverter(EnumConverters.WellKnownFolders.class)
        WellKnownFolderName folder();

        /**
         * After a failed token request, how long probes fail at once with its cause before the next request; the wait
         * doubles with each further failure, up to 5 minutes.
         */
        @WithDefault("5s")
        @DurationMin(message = "is ${validatedValue}; it cannot be negative")
        @DurationMax(minutes = 5, message = "is ${validatedValue}; the longest allowed is PT5M")
        Duration tokenBackoff();
    }

    interface Scheduler {
        /**
         * Each group's first cycle starts after a random delay of up to this fraction of its interval, so that
         * groups and replicas do not probe in lockstep.
         */
        @WithDefault("0.1")
        @Range(min = 0, max = 1, message = "is ${validatedValue}; it must be between 0 and 1 (a fraction of each "
                + "group's interval)")
        double jitter();
    }

    interface Metrics {
        /**
         * Groups with {@code per-mailbox-series=auto} publish series per mailbox while this replica has at most this
         * many targets in all; above it, only group-level series (each mailbox would add four series per probe kind).
         */
        @WithDefault("500")
        @Min(value = 0, message = "is ${validatedValue}; it must be 0 (no series per mailbox for auto groups) or more")
        int perMailboxLimit();
    }

    interface Sharding {
        /**
         * How many replicas share the targets. Each probes only the targets whose stable hash of tenant and mailbox
         * falls to it, and each tenant's control plane is polled by one replica only; every replica must have the
         * same configuration and the same count.
         */
        @WithDefault("1")
        @Min(value = 1, message = "is ${validatedValue}; it must be 1 or more")
        int replicas();

        /**
         * This replica's index, 0 to {@code replicas - 1}. Unset, it is the number at the end of the host name
         * ({@code HOSTNAME}), which for a Kubernetes StatefulSet pod such as {@code impersonation-probe-1} is its
         * ordinal.
         */
        Optional<Integer> replicaIndex();

        /**
         * The other replicas' base URLs, which the read API and the status page ask for their targets so that each
         * replica shows the whole estate: either one URL per replica in index order (this replica's own included,
         * it is skipped), or one URL with {@code {ordinal}} for the replica's index, such as the StatefulSet's
         * headless Service name {@code http://impersonation-probe-{ordinal}.impersonation-probe-shards:8080}. Unset,
         * each replica shows only its own targets.
         */
        Optional<List<String>> peers();

        /** How long a replica waits for a peer's targets before it marks that shard unreachable. */
        @WithDefault("2s")
        @DurationMin(inclusive = false, message = "is ${validatedValue}; it must be longer than zero")
        @DurationMax(seconds = 30, message = "is ${validatedValue}; the longest allowed is PT30S (every read of the "
                + "targets waits for the slowest peer up to this long)")
        Duration peerTimeout();

        /** The API key (role read) a replica presents to its peers; required with {@link #peers()}. */
        Optional<Secret> peerApiKey();

        /** A file whose trimmed content is {@link #peerApiKey()}, such as a mounted Kubernetes secret. */
        Optional<Path> peerApiKeyFile();
    }

    interface Api {
        /**
         * API keys by caller name (the name the audit log shows). Only a key's SHA-256 is configured, so the
         * configuration never holds a usable key: {@code printf %s "$KEY" | sha256sum}. Set them here, through the
         * environment ({@code IMPERSONATION_API_KEYS_ONCALL_SHA256}), or in {@link #keysFile()}.
         */
        Map<String, Key> keys();

        /**
         * A file of further API keys, for a mounted secret: one per line, {@code caller sha256-hex role[,role]};
         * blank lines and lines starting with {@code #} are ignored.
         */
        Optional<Path> keysFile();

        /** Whether {@code /q/metrics} needs a key with the {@code read} role (Prometheus: {@code authorization.credentials_file}). */
        @WithDefault("false")
        boolean protectMetrics();

        /** Whether the status page at {@code /} needs a key with the {@code read} role. */
        @WithDefault("false")
        boolean protectStatusPage();

        /** Limits on live checks ({@code POST /api/v1/checks} and {@code /probe}). */
        Checks checks();

        /** OIDC bearer tokens, accepted besides API keys once an issuer is set. */
        Oidc oidc();

        interface Key {
            /** The key's SHA-256 as 64 hex digits. */
            String sha256();

            /** {@code read} (results, targets, tenants) and {@code check} (run live checks). */
            @WithDefault("read")
            @WithConverter(EnumConverters.ApiRoles.class)
            List<ApiRole> roles();
        }

        interface Checks {
            /**
             * Domains whose mailboxes a live check may probe besides the configured targets. Unset: only configured
             * targets, so the endpoint cannot be used to probe arbitrary addresses or to enumerate mailboxes.
             */
            Optional<List<@Pattern(regexp = "(?i)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}",
                    message = "is '${validatedValue}', which is not a domain name such as contoso.com")
                    String>> allowedDomains();

            /** Live checks one caller may start per minute; more get 429 with Retry-After. */
            @WithDefault("10")
            @Min(value = 1, message = "is ${validatedValue}; it must be at least 1 (to allow no live checks, give no "
                    + "caller the check role)")
            int perCallerPerMinute();

            /**
             * Live checks in flight at once, all callers together; more get 429. They run on the request's thread,
             * never on the scheduled probes' pools, so they cannot delay a cycle.
             */
            @WithDefault("4")
            @Range(min = 1, max = MAX_CONCURRENCY, message = "is ${validatedValue}; it must be between 1 and "
                    + MAX_CONCURRENCY + " (Exchange allows " + MAX_CONCURRENCY + " concurrent EWS requests per account)")
            int maxConcurrent();
        }

        interface Oidc {
            /**
             * The issuer exactly as tokens carry it in {@code iss}; its {@code /.well-known/openid-configuration}
             * names the signing keys. Entra ID: {@code https://login.microsoftonline.com/<tenant-id>/v2.0}.
             */
            Optional<URI> issuer();

            /** The audience tokens must carry in {@code aud}: the API's application ID URI, such as {@code api://impersonation-probe}. */
            Optional<String> audience();

            /** The claim that lists the caller's roles (Entra ID app roles: {@code roles}). */
            @WithDefault("roles")
            String rolesClaim();

            /** The role value that grants {@code read}. */
            @WithDefault("ImpersonationProbe.Read")
            String readRole();

            /** The role value that grants {@code check}. */
            @WithDefault("ImpersonationProbe.Check")
            String checkRole();
        }
    }

    interface State {
        /**
         * A directory, readable and writable by the daemon's user only, for the state that survives a restart: per
         * tenant the last control-plane snapshot (organisation settings, role assignments, scopes), pending propagation
         * with its start times, recent events, and the targets' recent results. Unset: nothing is written, and a
         * restart forgets all of it (and cannot see changes made while the daemon was down).
         */
        Optional<Path> directory();

        /** How often the targets' recent results are written (the control plane is written after each poll). */
        @WithDefault("1m")
        @DurationMin(seconds = 5, message = "is ${validatedValue}; the shortest allowed is PT5S (each write holds the "
                + "recent results of every target)")
        Duration saveInterval();
    }
}
