package io.impersonationprobe.control;

import java.util.Locale;

/** A control-plane read that failed, classified; the message says what to do and never holds a secret. */
public class ControlPlaneException extends Exception {

    /** The bounded failure classes, the {@code result} label of the poll metrics. */
    public enum Failure {
        PERMISSION_MISSING, THROTTLED, NOT_FOUND, OBJECT_NOT_FOUND, SERVER_ERROR, UNREACHABLE, TIMEOUT,
        INVALID_RESPONSE, TOKEN_FAILED,
        /** On-premises: the directory refused the bind account. */
        BIND_FAILED,
        /** On-premises: the TLS handshake or StartTLS failed (untrusted certificate, wrong host name). */
        TLS_FAILED,
        /** On-premises: the directory sent a referral, which is never followed. */
        REFERRAL,
        /** On-premises: a search returned more entries than the size limit. */
        TOO_LARGE;

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
