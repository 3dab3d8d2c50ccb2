package io.impersonationprobe.config;

import io.impersonationprobe.probe.Verdict;

/** What a group's mailboxes must show: the probe succeeds when its verdict matches. */
public enum Expectation {
    /** The daemon must be able to act as the mailbox. */
    ALLOW(Verdict.ALLOWED),
    /** The daemon must be refused; reaching the mailbox is a scope leak. */
    DENY(Verdict.DENIED);

    private final Verdict expectedVerdict;

    Expectation(Verdict expectedVerdict) {
        this.expectedVerdict = expectedVerdict;
    }

    public boolean isMetBy(Verdict verdict) {
        return verdict == expectedVerdict;
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
