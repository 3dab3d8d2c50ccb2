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
 * @param directory    on-premises: how its RBAC is read from Active Directory, or null when it is not
 */
public record ResolvedTenant(String id, ProbeConfig.Tenant config, Secret secret, ClientCertificate certificate,
                             ServiceAccount account, SSLContext sslContext, AdminCredential admin,
                             DirectorySettings directory) {

    public ResolvedTenant(String id, ProbeConfig.Tenant config, Secret secret, ClientCertificate certificate,
                          ServiceAccount account, SSLContext sslContext, AdminCredential admin) {
        this(id, config, secret, certificate, account, sslContext, admin, null);
    }

    public TenantKind kind() {
        return config.kind();
    }

    public AuthMethod method() {
        return config.auth().method();
    }

    /**
     * The control plane can be polled: Exchange Online with app-only OAuth and the control plane switched on (the
     * admin API), or on-premises with an LDAP directory configured.
     */
    public boolean pollsControlPlane() {
        return config.controlPlane().enabled() && (kind() == TenantKind.EXCHANGE_ONLINE && method().isOAuth()
                || directory != null);
    }

    /** Separate app credentials for the admin API: exactly one of secret and certificate is set. */
    public record AdminCredential(ProbeConfig.Auth auth, Secret secret, ClientCertificate certificate) {
    }
}
