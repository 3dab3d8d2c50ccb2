package io.impersonationprobe.target;

import java.util.Locale;

/** What a group's mailboxes must show: that the daemon can act as them, or that it is refused. */
public enum Expectation {
    /** The daemon must be able to act as the mailbox. */
    ALLOW,
    /** The daemon must be refused; reaching the mailbox is a scope leak. */
    DENY;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
