package io.impersonationprobe.probe;

import io.impersonationprobe.target.Target;

import java.time.Instant;

/**
 * One way of proving access to a mailbox (EWS today). Implementations block the calling thread, never throw, and
 * return by the deadline: every failure is a classified {@link ProbeResult}.
 */
public interface Probe {

    /** The {@code probe} label, such as {@code ews}. */
    String kind();

    ProbeResult probe(Target target, Instant deadline);
}
