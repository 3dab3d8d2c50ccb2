package io.impersonationprobe.target;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A mailbox's SMTP address, checked before it goes anywhere near an HTTP header or a SOAP body. The check is the
 * practical subset of RFC 5321 that Exchange accepts for a primary SMTP address: no quoting, no comments, no
 * control characters, at most 254 characters.
 */
public final class MailboxAddress {
    public static final int MAX_LENGTH = 254;
    private static final Pattern SMTP = Pattern.compile(
            "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                    + "@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");

    private MailboxAddress() {
    }

    /** The normalised (lower-case) address, or empty with no reason given when the text is not one. */
    public static Optional<String> parse(String text) {
        return problemWith(text) == null ? Optional.of(text.toLowerCase(Locale.ROOT)) : Optional.empty();
    }

    /** Why {@code text} is not a usable SMTP address, or {@code null} when it is one. */
    public static String problemWith(String text) {
        if (text == null || text.isEmpty()) {
            return "is empty";
        }
        if (text.length() > MAX_LENGTH) {
            return "is longer than " + MAX_LENGTH + " characters";
        }
        if (text.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
            return "contains a space or a control character";
        }
        if (text.indexOf('@') < 0) {
            return "has no '@'";
        }
        if (text.indexOf('@') > 64) {
            return "has a local part longer than 64 characters";
        }
        if (!SMTP.matcher(text).matches()) {
            return "is not a well-formed SMTP address";
        }
        return null;
    }
}
