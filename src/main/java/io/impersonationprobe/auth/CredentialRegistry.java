package io.impersonationprobe.auth;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.IClientCredential;
import io.impersonationprobe.config.ProbeConfig;
import io.impersonationprobe.config.ResolvedTenant;
import io.impersonationprobe.config.ValidatedConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import io.impersonationprobe.config.TenantKind;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import java.security.NoSuchAlgorithmException;

/** One credential object per tenant, built once and reused: the token cache lives in it. */
@ApplicationScoped
public class CredentialRegistry {
    private static final Logger LOG = Logger.getLogger(CredentialRegistry.class);
    private static final Duration CERTIFICATE_WARNING = Duration.ofDays(14);
    private final Map<String, EwsCredentials> ewsCredentials = new HashMap<>();
    private final Map<String, TokenSource> tokenSources = new HashMap<>();
    private final Map<String, TokenSource> adminTokenSources = new HashMap<>();
    private final Map<String, TokenSource> graphTokenSources = new HashMap<>();

    private final Duration tokenBackoff;

    @Inject
    public CredentialRegistry(ValidatedConfig config, ProbeConfig probeConfig, TokenListener listener) {
        this.tokenBackoff = probeConfig.probe().tokenBackoff();
        for (ResolvedTenant tenant : config.tenants().values()) {
            if (tenant.certificate() != null
                    && tenant.certificate().notAfter().isBefore(Instant.now().plus(CERTIFICATE_WARNING))) {
                LOG.warnf("Tenant %s: the client certificate %s expires %s; upload a new one to the app registration "
                        + "and to the daemon before then", tenant.id(), tenant.certificate().certificate()
                        .getSubjectX500Principal(), tenant.certificate().notAfter());
            }
            ewsCredentials.put(tenant.id(), switch (tenant.method()) {
                case CLIENT_SECRET -> oauth(tenant, ClientCredentialFactory.createFromSecret(tenant.secret().reveal()), listener);
                case CLIENT_CERTIFICATE -> oauth(tenant, ClientCredentialFactory.createFromCertificate(
                        tenant.certificate().privateKey(), tenant.certificate().certificate()), listener);
                case NTLM -> new ServiceAccountEwsCredentials(tenant.account(), false);
                case BASIC -> new ServiceAccountEwsCredentials(tenant.account(), true);
            });
            if (tenant.admin() != null) {
                var admin = tenant.admin();
                adminTokenSources.put(tenant.id(), new MsalTokenSource(tenant.id(), admin.auth(), admin.secret() != null
                        ? ClientCredentialFactory.createFromSecret(admin.secret().reveal())
                        : ClientCredentialFactory.createFromCertificate(admin.certificate().privateKey(),
                        admin.certificate().certificate()), defaultTls(), Clock.systemUTC(), tokenBackoff, listener));
            }
        }
    }

    private EwsCredentials oauth(ResolvedTenant tenant, IClientCredential credential, TokenListener listener) {
        // Token requests go to Entra ID's public endpoints: the JVM's trust, not the tenant's (internal CA) trust store.
        TokenSource tokens = new MsalTokenSource(tenant.id(), tenant.config().auth(), credential, defaultTls(),
                Clock.systemUTC(), tokenBackoff, listener);
        tokenSources.put(tenant.id(), tokens);
        if (tenant.kind() == TenantKind.EXCHANGE_ONLINE) {
            // Graph is another resource: its own token (audience https://graph.microsoft.com) and its own cache.
            graphTokenSources.put(tenant.id(), new MsalTokenSource(tenant.id(), tenant.config().auth(),
                    tenant.config().graph().scope(), credential, defaultTls(), Clock.systemUTC(), tokenBackoff, listener));
        }
        return new OAuthEwsCredentials(tenant.method(), tokens);
    }

    /**
     * The tenant's token source, shared by EWS and the admin API (the same scope): one token serves both. Empty for
     * service-account tenants.
     */
    public Optional<TokenSource> tokens(String tenant) {
        return Optional.ofNullable(tokenSources.get(tenant));
    }

    /** Tokens for the admin API: its own credentials when configured, otherwise the tenant's. */
    public Optional<TokenSource> adminTokens(String tenant) {
        TokenSource admin = adminTokenSources.get(tenant);
        return admin != null ? Optional.of(admin) : tokens(tenant);
    }

    /** Tokens for Microsoft Graph with the tenant's app credentials; empty for on-premises tenants. */
    public Optional<TokenSource> graphTokens(String tenant) {
        return Optional.ofNullable(graphTokenSources.get(tenant));
    }

    private static SSLContext defaultTls() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no default TLS context", e);
        }
    }

    public EwsCredentials ews(String tenant) {
        EwsCredentials credentials = ewsCredentials.get(tenant);
        if (credentials == null) {
            throw new IllegalArgumentException("unknown tenant " + tenant);
        }
        return credentials;
    }
}
