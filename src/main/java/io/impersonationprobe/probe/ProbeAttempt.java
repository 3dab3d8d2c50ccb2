package io.impersonationprobe.probe;

import io.impersonationprobe.Printable;
import io.impersonationprobe.auth.AadstsAdvice;
import io.impersonationprobe.auth.AccessToken;
import io.impersonationprobe.auth.TokenException;
import io.impersonationprobe.config.TenantKind;
import io.impersonationprobe.probe.Trace.StepStatus;
import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Target;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The steps every probe shares, around its own request: the token (traced, its failure classified), the deadline
 * left after it, the catch-all that turns a library's surprise into an error, and the result with the target's
 * expectation and the fix applied. One attempt per probe call.
 */
public final class ProbeAttempt {
    private static final Logger LOG = Logger.getLogger(ProbeAttempt.class);

    private final ProbeKind kind;
    private final TenantKind tenantKind;
    private final Target target;
    private final Instant deadline;
    private final Trace trace;
    private final Clock clock;
    private final Instant startedAt;

    public ProbeAttempt(ProbeKind kind, TenantKind tenantKind, Target target, Instant deadline, Trace trace, Clock clock) {
        this.kind = kind;
        this.tenantKind = tenantKind;
        this.target = target;
        this.deadline = deadline;
        this.trace = trace;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    /** Gets the credentials' token before the deadline; null means credentials that need none (NTLM, Basic). */
    @FunctionalInterface
    public interface TokenCall {
        AccessToken token(Instant deadline) throws TokenException;
    }

    /** Ends the attempt early with a classification, such as a token failure or a deadline passed. */
    public static final class Stop extends Exception {
        private final transient Classification classification;

        public Stop(Classification classification) {
            super(classification.detail(), null, false, false);
            this.classification = classification;
        }

        public Classification classification() {
            return classification;
        }
    }

    public Target target() {
        return target;
    }

    public Trace trace() {
        return trace;
    }

    /**
     * Gets a token, tracing where it came from, and checks that time is left for the request.
     *
     * @param credential the credential kind, for the trace; never the credential
     * @param resource   the resource the token is for, for the trace, or null
     * @throws Stop      with {@link Outcome#TOKEN_FAILED} or {@link Outcome#TIMEOUT}
     */
    public AccessToken token(String credential, String resource, TokenCall call) throws Stop {
        Instant started = clock.instant();
        AccessToken token;
        try {
            token = call.token(deadline);
        } catch (TokenException e) {
            int code = AadstsAdvice.code(e.getMessage());
            trace.step("token", StepStatus.FAILED, Duration.between(started, clock.instant()), Trace.detail(
                    "credential", credential, "resource", resource, "errorCode", code == 0 ? null : "AADSTS" + code,
                    "error", Printable.of(e.getMessage(), 500)));
            throw new Stop(new Classification(Outcome.TOKEN_FAILED, null, 0, e.getMessage(), null,
                    AadstsAdvice.forMessage(e.getMessage())));
        }
        if (trace.isOn()) {
            trace.step("token", StepStatus.OK, Duration.between(started, clock.instant()), Trace.detail(
                    "credential", credential, "resource", resource,
                    "source", token == null ? "none (credentials sent with the request)"
                            : token.fromCache() ? "cache" : "network",
                    "expiresAt", token == null ? null : token.expiresAt().toString()));
        }
        if (remainingMillis() <= 0) {
            throw new Stop(Classification.of(Outcome.TIMEOUT, "the deadline passed while getting a token"));
        }
        return token;
    }

    /** Milliseconds left before the deadline; zero or less once it has passed. */
    public long remainingMillis() {
        return Duration.between(clock.instant(), deadline).toMillis();
    }

    /** The result: the classification with the target's expectation applied and the fix for this tenant's kind. */
    public ProbeResult finish(Classification c) {
        Outcome outcome = c.outcome().forExpectation(target.expect());
        String remediation = outcome.remediation(tenantKind, kind);
        return new ProbeResult(target, kind, outcome, c.responseCode(), c.httpStatus(), startedAt,
                Duration.between(startedAt, clock.instant()), Printable.of(c.detail(), 1000),
                c.advice() == null ? remediation : c.advice() + " " + remediation, c.backOff());
    }

    /** A library misbehaving must not stop the scheduler: it is an error, never an OK. */
    public ProbeResult unexpected(RuntimeException e) {
        LOG.warnf(e, "%s probe of %s failed unexpectedly", kind.label(), target.id());
        return finish(Classification.of(Outcome.UNKNOWN_ERROR, e.getClass().getSimpleName()));
    }
}
