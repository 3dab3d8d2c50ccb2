package io.impersonationprobe.auth;

/** Bearer tokens for one tenant and one scope. Implementations are thread-safe and send one request at a time. */
public interface TokenSource {
    AccessToken token() throws TokenException;

    /**
     * The server refused the current token (HTTP 401): the next call fetches a fresh one, bypassing every cache.
     * Rate-limited, so a tenant that refuses every token does not turn each probe into a token request.
     */
    void rejected();
}
