package io.impersonationprobe.config;

import javax.net.ssl.SSLContext;

/**
 * A tenant after validation, with its credential read (from the environment or files) exactly once.
 *
 * @param secret       the client secret, for client-secret
 * @param certificate  the certificate and key, for client-certificate
 * @param account      the service account, for ntlm and basic
 * @param sslContext   the TLS context for this tenant's endpoints: the JVM default, or one trusting its trust store
 * @param admin        separate credentials for the admin API, or null to use the tenant's
 */
public record ResolvedTenant(String id, ProbeConfig.Tenant config, Secret secret, ClientCertificate certificate,
                             ServiceAccount account, SSLContext sslContext, AdminCredential admin) {

    public TenantKind kind() {
        return config.kind();
    }

    public AuthMethod method() {
        return config.auth().method();
    }

    /** Exchange Online with app-only OAuth and the control plane switched on: the admin API can be polled. */
    public boolean pollsControlPlane() {
        return kind() == TenantKind.EXCHANGE_ONLINE && method().isOAuth() && config.controlPlane().enabled();
    }

    /** Separate app credentials for the admin API: exactly one of secret and certificate is set. */
    public record AdminCredential(ProbeConfig.Auth auth, Secret secret, ClientCertificate certificate) {
    }
}
