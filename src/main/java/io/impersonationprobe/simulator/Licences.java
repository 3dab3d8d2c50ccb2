package io.impersonationprobe.simulator;

import java.util.List;
import java.util.Set;

/**
 * The licences a simulated mailbox may hold. Since 2026-10-01 Exchange Online answers EWS requests for a mailbox
 * licensed Kiosk (Exchange Online Kiosk), F1 or F3 with HTTP 403: those plans do not include EWS.
 */
final class Licences {
    static final List<String> KNOWN = List.of("E3", "E5", "Business Standard", "Plan 1", "Plan 2", "Kiosk", "F1", "F3");
    private static final Set<String> WITHOUT_EWS = Set.of("Kiosk", "F1", "F3");

    private Licences() {
    }

    /** The licence as {@link #KNOWN} spells it (case ignored), or null for null. */
    static String canonical(String licence) {
        if (licence == null) {
            return null;
        }
        return KNOWN.stream().filter(known -> known.equalsIgnoreCase(licence.strip())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown licence '" + licence + "'; known: " + KNOWN));
    }

    /** Whether a mailbox with this licence may be reached over EWS (null: a licence that includes it). */
    static boolean includesEws(String licence) {
        return licence == null || !WITHOUT_EWS.contains(licence);
    }
}
