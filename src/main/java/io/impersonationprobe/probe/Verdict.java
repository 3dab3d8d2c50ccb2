package io.impersonationprobe.probe;

import io.impersonationprobe.target.Expectation;

/** What a probe found out about access to one mailbox. */
public enum Verdict {
    /** The daemon acted as the mailbox: access works. */
    ALLOWED,
    /** Exchange answered, and refused to let the daemon act as the mailbox. */
    DENIED,
    /** The probe could not tell: a credential, network, server or configuration problem stood in the way. */
    ERROR;

    /** Whether this verdict is what a group with this expectation must see; an error never is. */
    public boolean meets(Expectation expect) {
        return this == (expect == Expectation.ALLOW ? ALLOWED : DENIED);
    }
}
