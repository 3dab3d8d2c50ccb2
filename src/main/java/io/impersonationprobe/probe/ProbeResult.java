package io.impersonationprobe.probe;

import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Target;

import java.time.Duration;
import java.time.Instant;

/**
 * What one probe of one target found.
 *
 * @param probe         the probe kind
 * @param outcome       the classified outcome; its verdict is the result's verdict
 * @param responseCode  the server's response code: EWS's (such as {@code NoError} or {@code ErrorImpersonateUserDenied})
 *                      or Graph's error code (such as {@code ErrorAccessDenied}); null if none
 * @param httpStatus    the HTTP status of the answer, or 0 when there was none
 * @param startedAt     when the probe started
 * @param duration      how long it took, token included
 * @param detail        what the server or the network said, for the admin; never a secret
 * @param remediation   what to do, for this tenant's kind and this particular error
 * @param backOff       how long the server asked the daemon to wait before the next request, or null
 */
public record ProbeResult(Target target, ProbeKind probe, Outcome outcome, String responseCode, int httpStatus,
                          Instant startedAt, Duration duration, String detail, String remediation, Duration backOff) {

    public Verdict verdict() {
        return outcome.verdict();
    }

    /** True when the verdict is what the target's group expects. */
    public boolean success() {
        return verdict().meets(target.expect());
    }

    public String cause() {
        return outcome.cause(probe);
    }

    /** When the probe's answer arrived. */
    public Instant finishedAt() {
        return startedAt.plus(duration);
    }

    public ProbeResult withRemediation(String remediation) {
        return new ProbeResult(target, probe, outcome, responseCode, httpStatus, startedAt, duration, detail,
                remediation, backOff);
    }
}
