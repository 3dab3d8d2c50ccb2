package io.impersonationprobe.auth;

import java.time.Instant;

/** Bearer tokens for one tenant and one scope. Implementations are thread-safe and send one request at a time. */
public interface TokenSource {
    /**
     * A token valid now, waiting for it until {@code deadline} at most.
     *
     * @throws TokenException the token endpoint failed now or, within the back-off after a failure, before
     */
    AccessToken token(Instant deadline) throws TokenException;

    /**
     * The server refused the current token (HTTP 401): the next call fetches a fresh one, bypassing every cache.
     * Rate-limited, so a tenant that refuses every token does not turn each probe into a token request.
     */
    void rejected();
}
