package io.impersonationprobe.auth;

import java.util.Set;
import java.util.TreeSet;

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

    /**
     * A bounded error class, fit for a metric label: the OAuth error ({@code invalid_client}, {@code invalid_scope},
     * …) or a local one ({@code unreachable}, {@code timeout}); anything else is {@code error}.
     */
    public String errorCode() {
        return errorCode;
    }

    private static final Set<String> OAUTH_ERRORS = Set.of("invalid_request", "invalid_client",
            "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope", "invalid_tenant",
            "temporarily_unavailable");
    /** Failures found on this side of the token endpoint. */
    private static final Set<String> LOCAL_ERRORS = Set.of("unreachable", "timeout", "interrupted", "error");

    /** Every value {@link #errorCode()} can take: the metric's label values, known before any request. */
    public static Set<String> errorClasses() {
        Set<String> all = new TreeSet<>(OAUTH_ERRORS);
        all.addAll(LOCAL_ERRORS);
        return all;
    }

    /** Keeps error codes from a remote server to the known set, so they cannot blow up label cardinality. */
    static String errorClass(String oauthError) {
        return oauthError != null && OAUTH_ERRORS.contains(oauthError) ? oauthError : "error";
    }
}
