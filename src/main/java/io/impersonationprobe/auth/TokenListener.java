package io.impersonationprobe.auth;

import java.time.Duration;
import java.time.Instant;

/** Told about every token request a {@link TokenSource} sends (not about cache hits). */
public interface TokenListener {

    /**
     * @param result     {@code success} or the bounded error class, see {@link TokenException#errorCode()}
     * @param took       how long the request took
     * @param expiresAt  when the new token expires, or null on failure
     */
    void tokenRequested(String tenant, String result, Duration took, Instant expiresAt);
}
