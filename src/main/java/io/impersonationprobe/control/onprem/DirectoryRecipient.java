package io.impersonationprobe.control.onprem;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A mailbox's directory entry as a management scope's filter sees it: the OPATH properties Exchange's filters name,
 * read from the LDAP attributes that hold them. A property outside this table cannot be evaluated (unknown).
 */
final class DirectoryRecipient implements OpathFilter.Recipient {
    /** OPATH property → LDAP attribute, lower case, for the properties held as plain attributes. */
    static final Map<String, String> ATTRIBUTES = Map.ofEntries(
            Map.entry("department", "department"), Map.entry("office", "physicalDeliveryOfficeName"),
            Map.entry("city", "l"), Map.entry("company", "company"), Map.entry("title", "title"),
            Map.entry("alias", "mailNickname"), Map.entry("memberofgroup", "memberOf"),
            Map.entry("database", "homeMDB"), Map.entry("emailaddresses", "proxyAddresses"),
            Map.entry("windowsemailaddress", "mail"), Map.entry("name", "name"),
            Map.entry("displayname", "displayName"), Map.entry("stateorprovince", "st"));

    /** msExchRecipientTypeDetails values of the recipients that can be targets. */
    static final Map<Long, String> RECIPIENT_TYPES = Map.of(1L, "UserMailbox", 2L, "LinkedMailbox", 4L,
            "SharedMailbox", 16L, "RoomMailbox", 32L, "EquipmentMailbox", 128L, "MailUser", 2147483648L,
            "RemoteUserMailbox");

    private static final List<String> DN_PROPERTIES = List.of("memberofgroup", "database");

    private final Entry entry;

    DirectoryRecipient(Entry entry) {
        this.entry = entry;
    }

    /** Every attribute a filter may name, to read with a target's entry. */
    static String[] attributes() {
        List<String> all = new ArrayList<>(ATTRIBUTES.values());
        for (int i = 1; i <= 15; i++) {
            all.add("extensionAttribute" + i);
        }
        all.add("msExchRecipientTypeDetails");
        all.add("whenChanged");
        all.add("objectClass");
        return all.toArray(String[]::new);
    }

    String dn() {
        return entry.getDN();
    }

    Entry entry() {
        return entry;
    }

    @Override
    public Optional<List<String>> values(String property) {
        String name = property.toLowerCase(Locale.ROOT);
        String attribute = ATTRIBUTES.get(name);
        if (attribute != null) {
            return Optional.of(strings(attribute));
        }
        if (name.matches("customattribute([1-9]|1[0-5])")) {
            return Optional.of(strings("extensionAttribute" + name.substring("customattribute".length())));
        }
        if (name.equals("recipienttypedetails")) {
            List<String> types = new ArrayList<>();
            for (String value : strings("msExchRecipientTypeDetails")) {
                try {
                    String type = RECIPIENT_TYPES.get(Long.parseLong(value.strip()));
                    if (type == null) {
                        return Optional.empty(); // a type the daemon does not know: the filter cannot be decided
                    }
                    types.add(type);
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }
            return Optional.of(types);
        }
        if (name.equals("primarysmtpaddress")) {
            // The primary address is the proxyAddresses value with the upper-case prefix.
            return Optional.of(strings("proxyAddresses").stream().filter(v -> v.startsWith("SMTP:"))
                    .map(v -> v.substring(5)).toList());
        }
        return Optional.empty();
    }

    @Override
    public boolean equal(String property, String value, String other) {
        if (DN_PROPERTIES.contains(property.toLowerCase(Locale.ROOT))) {
            try {
                return new DN(value).equals(new DN(other));
            } catch (LDAPException e) {
                return value.equalsIgnoreCase(other);
            }
        }
        return value.equalsIgnoreCase(other);
    }

    private List<String> strings(String attribute) {
        String[] values = entry.getAttributeValues(attribute);
        return values == null ? List.of() : List.of(values);
    }

    /** The filter's properties with this recipient's values, for the chain: "Department = Sales". */
    String describe(OpathFilter filter) {
        List<String> parts = new ArrayList<>();
        for (String property : filter.properties()) {
            Optional<List<String>> values = values(property);
            parts.add(values.isEmpty() ? property + " cannot be evaluated by the daemon"
                    : values.get().isEmpty() ? property + " is not set"
                    : property + " = " + String.join(", ", values.get()));
        }
        return String.join("; ", parts);
    }
}
