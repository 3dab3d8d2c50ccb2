package io.impersonationprobe.config;

import javax.net.ssl.SSLContext;
import java.time.Duration;

/**
 * How the daemon reads an on-premises tenant's RBAC from Active Directory, after validation. {@link #toString()}
 * never shows the password.
 *
 * @param host            the domain controller's host name, which its certificate must name
 * @param tls             true for ldaps://, false for ldap:// (with {@code startTls}, or plain to loopback only)
 * @param serviceAccount  the probing account: a DN, {@code DOMAIN\name} or a UPN
 * @param sslContext      the tenant's trust (its trust store, or the JVM's)
 */
public record DirectorySettings(String host, int port, boolean tls, boolean startTls, String bindDn,
                                Secret bindPassword, String serviceAccount, Duration connectTimeout,
                                Duration responseTimeout, int pageSize, int sizeLimit, Duration cacheWindow,
                                SSLContext sslContext) {

    /** The directory as logs and the API may show it. */
    public String url() {
        return (tls ? "ldaps://" : "ldap://") + host + ":" + port + (startTls ? " (StartTLS)" : "");
    }

    @Override
    public String toString() {
        return "DirectorySettings[" + url() + ", bind " + bindDn + "]";
    }
}
