package io.impersonationprobe.config;

/** What an API caller may do. */
public enum ApiRole {
    /** Read results, targets and tenants. */
    READ,
    /** Run live checks, which make the daemon act as a mailbox now. */
    CHECK;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
