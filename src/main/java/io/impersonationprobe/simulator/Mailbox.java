package io.impersonationprobe.simulator;

import java.util.List;
import java.util.Locale;

/**
 * A mailbox of the simulated tenant.
 *
 * @param type        RecipientTypeDetails: UserMailbox, SharedMailbox, RoomMailbox or EquipmentMailbox
 * @param groups      the groups it is a member of (MemberOfGroup in filters)
 * @param ewsEnabled  its own {@code EwsEnabled} (Set-CASMailbox): null (the default), true or false (EWS refused
 *                    for it whatever the organisation says)
 * @param licence     its licence as {@link Licences} names it, or null (one that includes EWS, or none needed)
 */
public record Mailbox(String smtp, String type, String department, List<String> groups, Boolean ewsEnabled,
                      String licence) {
    /** Characters a dot-atom local part may hold besides letters and digits (RFC 5322 atext). */
    private static final String ATEXT_SYMBOLS = "!#$%&'*+/=?^_`{|}~-";
    private static final int MAX_SMTP_LENGTH = 254;
    private static final int MAX_LOCAL_PART_LENGTH = 64;

    public Mailbox {
        smtp = smtp.toLowerCase(Locale.ROOT);
        type = type == null ? "UserMailbox" : type;
        groups = groups == null ? List.of() : List.copyOf(groups);
        licence = Licences.canonical(licence);
    }

    public Mailbox(String smtp, String type, String department, List<String> groups) {
        this(smtp, type, department, groups, null, null);
    }

    public Mailbox withEwsEnabled(Boolean enabled) {
        return new Mailbox(smtp, type, department, groups, enabled, licence);
    }

    public Mailbox withLicence(String newLicence) {
        return new Mailbox(smtp, type, department, groups, ewsEnabled, newLicence);
    }

    /** Why Exchange would refuse {@code smtp} as a primary SMTP address, or null when it would take it. */
    static String problemWith(String smtp) {
        if (smtp == null || smtp.isEmpty()) {
            return "is empty";
        }
        if (smtp.length() > MAX_SMTP_LENGTH) {
            return "is longer than " + MAX_SMTP_LENGTH + " characters";
        }
        if (smtp.chars().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            return "contains a space or a control character";
        }
        int at = smtp.indexOf('@');
        if (at < 0) {
            return "has no '@'";
        }
        if (at > MAX_LOCAL_PART_LENGTH) {
            return "has a local part longer than " + MAX_LOCAL_PART_LENGTH + " characters";
        }
        boolean wellFormed = smtp.indexOf('@', at + 1) < 0 && isDotAtom(smtp.substring(0, at))
                && isHostName(smtp.substring(at + 1));
        return wellFormed ? null : "is not a well-formed SMTP address";
    }

    private static boolean isDotAtom(String local) {
        for (String atom : local.split("\\.", -1)) {
            if (atom.isEmpty() || !atom.chars().allMatch(c -> isAsciiLetterOrDigit(c) || ATEXT_SYMBOLS.indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    /** At least two DNS labels of up to 63 letters, digits and inner hyphens. */
    private static boolean isHostName(String domain) {
        String[] labels = domain.split("\\.", -1);
        if (labels.length < 2) {
            return false;
        }
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")
                    || !label.chars().allMatch(c -> isAsciiLetterOrDigit(c) || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiLetterOrDigit(int c) {
        return c < 0x80 && Character.isLetterOrDigit(c);
    }

    String alias() {
        return smtp.substring(0, smtp.indexOf('@'));
    }

    String property(String name) {
        return switch (name) {
            case "PrimarySmtpAddress" -> smtp;
            case "Alias" -> alias();
            case "Department" -> department;
            case "RecipientTypeDetails" -> type;
            default -> null;
        };
    }
}
