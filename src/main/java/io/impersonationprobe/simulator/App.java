package io.impersonationprobe.simulator;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An application (service principal) of the tenant.
 *
 * @param secret       its client secret, or null when it authenticates with certificates only
 * @param entraRoles   admin-consented application permissions (app roles), carried in its tokens' {@code roles}
 * @param certificates public certificates registered for client assertions, by base64url SHA-256 thumbprint
 */
public record App(String appId, String displayName, String secret, List<String> entraRoles,
                  Map<String, X509Certificate> certificates) {
    public App(String appId, String displayName, String secret, List<String> entraRoles) {
        this(appId, displayName, secret, List.copyOf(entraRoles), new ConcurrentHashMap<>());
    }
}
