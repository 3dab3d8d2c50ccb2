package io.impersonationprobe.control;

/**
 * An admin API call that failed, classified: {@code kind} is a bounded label (permission_missing, throttled,
 * not_found, object_not_found, server_error, unreachable, timeout, invalid_response, token_failed) and the message
 * says what to do.
 */
public class AdminApiException extends Exception {
    private final String kind;

    public AdminApiException(String kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public String kind() {
        return kind;
    }
}
