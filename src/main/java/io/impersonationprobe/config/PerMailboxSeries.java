package io.impersonationprobe.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

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

    /** The value for a property's text, or empty when it is none of true, false and auto. */
    public static Optional<PerMailboxSeries> parse(String text) {
        String wanted = text.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(v -> v.label().equals(wanted)).findFirst();
    }
}
