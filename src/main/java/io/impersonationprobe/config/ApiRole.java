package io.impersonationprobe.config;

import java.util.Locale;

/** What an API caller may do. */
public enum ApiRole {
    /** Read results, targets and tenants. */
    READ,
    /** Run live checks, which make the daemon act as a mailbox now. */
    CHECK;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
