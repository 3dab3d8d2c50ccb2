package io.impersonationprobe.probe;

import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Target;

import java.time.Instant;

/**
 * One way of proving access to a mailbox (EWS, or Microsoft Graph for Exchange Online). Implementations block the
 * calling thread, never throw, and return by the deadline: every failure is a classified {@link ProbeResult}.
 * {@link ProbeAttempt} holds the steps every implementation shares.
 */
public interface Probe {

    /** The kind this probe implements; the {@link ProbeRunner} holds one probe per kind. */
    ProbeKind kind();

    /** Probes the target; {@code trace} receives the steps of a live check ({@link Trace#OFF} for scheduled probes). */
    ProbeResult probe(Target target, Instant deadline, Trace trace);
}
