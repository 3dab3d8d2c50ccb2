package io.impersonationprobe.control;

import java.util.Locale;

/** A control-plane read that failed, classified; the message says what to do and never holds a secret. */
public class ControlPlaneException extends Exception {

    /** The bounded failure classes, the {@code result} label of the poll metrics. */
    public enum Failure {
        PERMISSION_MISSING, THROTTLED, NOT_FOUND, OBJECT_NOT_FOUND, SERVER_ERROR, UNREACHABLE, TIMEOUT,
        INVALID_RESPONSE, TOKEN_FAILED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Failure failure;

    public ControlPlaneException(Failure failure, String message) {
        super(message, null, false, false);
        this.failure = failure;
    }

    public Failure failure() {
        return failure;
    }
}
