package io.impersonationprobe.simulator;

import java.util.List;
import java.util.Locale;

/**
 * A mailbox of the simulated tenant.
 *
 * @param type        RecipientTypeDetails: UserMailbox, SharedMailbox, RoomMailbox or EquipmentMailbox
 * @param groups      the groups it is a member of (MemberOfGroup in filters)
 */
public record Mailbox(String smtp, String type, String department, List<String> groups) {
    public Mailbox {
        smtp = smtp.toLowerCase(Locale.ROOT);
        type = type == null ? "UserMailbox" : type;
        groups = groups == null ? List.of() : List.copyOf(groups);
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
