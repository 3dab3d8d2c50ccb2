package io.impersonationprobe.probe;

import java.time.Duration;

/**
 * What a probe's classifier made of one exchange with the server, before the target's expectation is applied.
 *
 * @param responseCode  the server's response or error code, or null
 * @param httpStatus    the HTTP status, or 0 when no answer arrived
 * @param detail        what the server or the network said; never a secret
 * @param backOff       how long the server asked the daemon to wait (BackOffMilliseconds, Retry-After), or null
 * @param advice        a remediation more specific than the outcome's, put before it, or null
 */
public record Classification(Outcome outcome, String responseCode, int httpStatus, String detail, Duration backOff,
                             String advice) {

    /** An answer without a back-off or advice of its own. */
    public Classification(Outcome outcome, String responseCode, int httpStatus, String detail) {
        this(outcome, responseCode, httpStatus, detail, null, null);
    }

    /** An outcome with nothing but a detail: no answer, no code, no back-off. */
    public static Classification of(Outcome outcome, String detail) {
        return new Classification(outcome, null, 0, detail, null, null);
    }
}
