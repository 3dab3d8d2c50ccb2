package io.impersonationprobe.simulator;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An application of the tenant and its service principal.
 *
 * @param appId        the application (client) ID, carried in its tokens' {@code appid}
 * @param objectId     its service principal's object ID in Entra ID, which Exchange names it by in
 *                     {@code RoleAssignee}
 * @param secret       its client secret, or null when it authenticates with certificates only
 * @param entraRoles   admin-consented application permissions (app roles), carried in its tokens' {@code roles}
 * @param certificates public certificates registered for client assertions, by base64url SHA-256 thumbprint
 */
public record App(String appId, String objectId, String displayName, String secret, List<String> entraRoles,
                  Map<String, X509Certificate> certificates) {
    public App(String appId, String objectId, String displayName, String secret, List<String> entraRoles) {
        this(appId, objectId == null ? objectIdFor(appId) : objectId, displayName == null ? "" : displayName, secret,
                List.copyOf(entraRoles), new ConcurrentHashMap<>());
    }

    /** An object ID of its own, different from the app ID and the same for the same app ID, for an app given none. */
    static String objectIdFor(String appId) {
        return UUID.nameUUIDFromBytes(("service principal " + appId).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
