package io.impersonationprobe.simulator;

import java.util.Locale;
import java.util.Map;

/** RecipientTypeDetails names and the {@code msExchRecipientTypeDetails} values Active Directory holds for them. */
final class RecipientTypes {
    private static final Map<String, Long> VALUES = Map.of("usermailbox", 1L, "linkedmailbox", 2L, "sharedmailbox", 4L,
            "roommailbox", 16L, "equipmentmailbox", 32L, "mailuser", 128L, "remoteusermailbox", 2147483648L);

    private RecipientTypes() {
    }

    /** The attribute's value for a type name, or an {@link IllegalArgumentException} naming the known ones. */
    static long value(String name) {
        Long value = VALUES.get(name.toLowerCase(Locale.ROOT));
        if (value == null) {
            throw new IllegalArgumentException("unknown RecipientTypeDetails '" + name + "'; known: UserMailbox, "
                    + "LinkedMailbox, SharedMailbox, RoomMailbox, EquipmentMailbox, MailUser, RemoteUserMailbox");
        }
        return value;
    }
}
