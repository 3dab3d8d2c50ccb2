package io.impersonationprobe.config;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * An on-premises tenant's LDAP settings: where its domain controller is, over TLS (ldaps:// or StartTLS; plain LDAP
 * only to this machine, as for EWS, since the bind password travels on it), who binds, and whose access is predicted.
 */
final class DirectoryResolver {
    private DirectoryResolver() {
    }

    /**
     * @param prefix the tenant's properties, such as {@code impersonation.tenants.corp}
     * @return the settings; empty when the directory is not configured or with problems naming the properties
     */
    static Optional<DirectorySettings> resolve(String prefix, ProbeConfig.Tenant tenant, SSLContext ssl,
                                               Problems problems) {
        ProbeConfig.Ldap ldap = tenant.controlPlane().ldap();
        String base = prefix + ".control-plane.ldap";
        if (ldap.url().isEmpty()) {
            return Optional.empty();
        }
        if (tenant.kind() != TenantKind.ON_PREMISES) {
            problems.add(base + ".url", "is for on-premises tenants; Exchange Online's control plane is its admin API");
            return Optional.empty();
        }
        int before = problems.count();
        URI url = ldap.url().get();
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        String host = url.getHost();
        boolean tls = scheme.equals("ldaps");
        if (host == null || !(tls || scheme.equals("ldap"))) {
            problems.add(base + ".url", "'" + url + "' must be ldaps://host[:port] or ldap://host[:port]");
        } else if (url.getRawPath() != null && !url.getRawPath().isEmpty() && !url.getRawPath().equals("/")
                || url.getRawQuery() != null || url.getUserInfo() != null) {
            problems.add(base + ".url", "'" + url + "' must be only scheme, host and port (the naming contexts come "
                    + "from the RootDSE)");
        } else if (tls && ldap.startTls()) {
            problems.add(base + ".start-tls", "is for ldap:// URLs; an ldaps:// connection is TLS from the start");
        } else if (!tls && !ldap.startTls() && !ConfigValidator.isLoopback(host)) {
            problems.add(base + ".start-tls", "'" + url + "' is plain LDAP; the bind password would cross the network "
                    + "unencrypted. Use ldaps:// or set start-tls=true (plain LDAP is accepted only for a loopback "
                    + "address such as the built-in simulator)");
        }
        if (ldap.bindDn().filter(dn -> !dn.isBlank()).isEmpty()) {
            problems.add(base + ".bind-dn", "is required with " + base + ".url");
        }
        Optional<Secret> password = SecretResolver.required(base + ".bind-password", ldap.bindPassword(),
                ldap.bindPasswordFile(), problems);
        Optional<String> account = ldap.serviceAccount().or(() -> tenant.auth().username())
                .map(String::strip).filter(name -> !name.isEmpty());
        if (account.isEmpty()) {
            problems.add(base + ".service-account", "is required when auth.username is not set: the probing account "
                    + "whose access is predicted");
        }
        if (problems.count() > before) {
            return Optional.empty();
        }
        int port = url.getPort() != -1 ? url.getPort() : tls ? 636 : 389;
        return Optional.of(new DirectorySettings(host, port, tls, ldap.startTls(), ldap.bindDn().get().strip(),
                password.orElseThrow(), account.get(), ldap.connectTimeout(), ldap.responseTimeout(), ldap.pageSize(),
                ldap.sizeLimit(), ldap.cacheWindow(), ssl));
    }
}
