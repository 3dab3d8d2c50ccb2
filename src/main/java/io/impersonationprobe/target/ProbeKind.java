package io.impersonationprobe.target;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The ways of proving access to a mailbox: the {@code probe} label of the metrics and the values a group lists in
 * {@code probes}.
 */
public enum ProbeKind {
    /** Exchange Web Services impersonation (Exchange Online and on-premises). */
    EWS,
    /** Microsoft Graph, the successor path in Exchange Online. */
    GRAPH;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind with this label (any case, surrounding blanks ignored), or empty when there is none. */
    public static Optional<ProbeKind> ofLabel(String text) {
        String wanted = text.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(k -> k.label().equals(wanted)).findFirst();
    }

    /** Every label, for an error message. */
    public static List<String> labels() {
        return Arrays.stream(values()).map(ProbeKind::label).toList();
    }
}
