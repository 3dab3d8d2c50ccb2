package io.impersonationprobe.auth;

/**
 * A token could not be obtained. The message is safe to show: it is the identity provider's error description
 * (for example {@code AADSTS7000215: Invalid client secret provided…}), which never contains the secret.
 */
public class TokenException extends Exception {
    private final String errorCode;

    public TokenException(String errorCode, String message, Throwable cause) {
        super(message, cause, false, false);
        this.errorCode = errorCode;
    }

    /** The OAuth error code such as {@code invalid_client}, or a local code such as {@code timeout}. */
    public String errorCode() {
        return errorCode;
    }
}
