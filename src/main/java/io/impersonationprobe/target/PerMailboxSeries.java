package io.impersonationprobe.target;

import java.util.Locale;

/**
 * Whether a group publishes series per mailbox ({@code mailbox} label): always ({@code true}, for canaries), never
 * ({@code false}), or while the targets of this replica stay within {@code impersonation.metrics.per-mailbox-limit}
 * ({@code auto}).
 */
public enum PerMailboxSeries {
    TRUE, FALSE, AUTO;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
