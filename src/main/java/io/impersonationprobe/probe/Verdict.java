package io.impersonationprobe.probe;

/** What a probe found out about access to one mailbox. */
public enum Verdict {
    /** The daemon acted as the mailbox: access works. */
    ALLOWED,
    /** Exchange answered, and refused to let the daemon act as the mailbox. */
    DENIED,
    /** The probe could not tell: a credential, network, server or configuration problem stood in the way. */
    ERROR
}
