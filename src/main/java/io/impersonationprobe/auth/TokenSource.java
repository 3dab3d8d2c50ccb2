package io.impersonationprobe.auth;

/** Bearer tokens for one tenant and one scope. Implementations are thread-safe and send one request at a time. */
public interface TokenSource {
    AccessToken token() throws TokenException;
}
