package io.impersonationprobe.auth;

import java.time.Instant;

/**
 * A bearer token and when it expires. {@link #toString()} never shows the token.
 *
 * @param fromCache true when no token request was sent for it
 */
public record AccessToken(String value, Instant expiresAt, boolean fromCache) {
    @Override
    public String toString() {
        return "AccessToken[expiresAt=" + expiresAt + ", fromCache=" + fromCache + "]";
    }
}
