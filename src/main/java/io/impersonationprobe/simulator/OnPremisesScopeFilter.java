package io.impersonationprobe.simulator;

import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A management scope's OPATH filter ({@code msExchQueryFilter}) turned into the LDAP filter it stands for, the way
 * Exchange evaluates recipient filters against Active Directory: {@code (Department -eq 'Sales')} becomes
 * {@code (department=Sales)}, {@code RecipientTypeDetails -eq 'RoomMailbox'} becomes
 * {@code (msExchRecipientTypeDetails=16)}, {@code -like 'Sal*'} a substring filter. Matching is the LDAP SDK's
 * (case-insensitive, multi-valued attributes match on any value).
 */
final class OnPremisesScopeFilter {
    /** OPATH properties and the attributes that hold them. */
    private static final Map<String, String> ATTRIBUTES = Map.ofEntries(
            Map.entry("department", "department"), Map.entry("office", "physicalDeliveryOfficeName"),
            Map.entry("city", "l"), Map.entry("company", "company"), Map.entry("title", "title"),
            Map.entry("alias", "mailNickname"), Map.entry("memberofgroup", "memberOf"),
            Map.entry("database", "homeMDB"), Map.entry("emailaddresses", "proxyAddresses"),
            Map.entry("windowsemailaddress", "mail"), Map.entry("recipienttypedetails", "msExchRecipientTypeDetails"),
            Map.entry("primarysmtpaddress", "proxyAddresses"));
    private static final Pattern CUSTOM_ATTRIBUTE = Pattern.compile("customattribute(\\d{1,2})");
    private static final Pattern TOKEN = Pattern.compile("\\s*(\\(|\\)|'(?:[^']|'')*'|\"[^\"]*\"|[^\\s()]+)");

    private final String text;
    private final Filter filter;

    private OnPremisesScopeFilter(String text, Filter filter) {
        this.text = text;
        this.filter = filter;
    }

    /** Parses an OPATH filter, or throws {@link IllegalArgumentException} saying what Exchange would refuse. */
    static OnPremisesScopeFilter parse(String text) {
        Parser parser = new Parser(tokenize(text));
        Filter filter = parser.or();
        if (parser.position < parser.tokens.size()) {
            throw new IllegalArgumentException("unexpected '" + parser.tokens.get(parser.position)
                    + "' in recipient filter");
        }
        return new OnPremisesScopeFilter(text, filter);
    }

    boolean matches(Entry recipient) {
        try {
            return filter.matchesEntry(recipient);
        } catch (LDAPException e) {
            return false;
        }
    }

    /** The LDAP filter, for the control API's state view. */
    String ldapFilter() {
        return filter.toString();
    }

    @Override
    public String toString() {
        return text;
    }

    private static List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        int end = 0;
        while (m.find() && m.start() == end) {
            tokens.add(m.group(1));
            end = m.end();
        }
        if (!text.substring(end).isBlank()) {
            throw new IllegalArgumentException("cannot read the recipient filter from '" + text.substring(end) + "'");
        }
        return tokens;
    }

    private static final class Parser {
        private final List<String> tokens;
        private int position;

        Parser(List<String> tokens) {
            this.tokens = tokens;
        }

        private boolean accept(String token) {
            if (position < tokens.size() && tokens.get(position).equalsIgnoreCase(token)) {
                position++;
                return true;
            }
            return false;
        }

        private String next(String expected) {
            if (position >= tokens.size()) {
                throw new IllegalArgumentException("recipient filter ends where " + expected + " was expected");
            }
            return tokens.get(position++);
        }

        Filter or() {
            List<Filter> any = new ArrayList<>(List.of(and()));
            while (accept("-or")) {
                any.add(and());
            }
            return any.size() == 1 ? any.get(0) : Filter.createORFilter(any);
        }

        Filter and() {
            List<Filter> all = new ArrayList<>(List.of(unary()));
            while (accept("-and")) {
                all.add(unary());
            }
            return all.size() == 1 ? all.get(0) : Filter.createANDFilter(all);
        }

        Filter unary() {
            if (accept("-not")) {
                return Filter.createNOTFilter(unary());
            }
            if (accept("(")) {
                Filter inner = or();
                if (!accept(")")) {
                    throw new IllegalArgumentException("missing ')' in recipient filter");
                }
                return inner;
            }
            return comparison();
        }

        Filter comparison() {
            String property = next("a property name");
            String attribute = attribute(property);
            String operator = next("an operator").toLowerCase(Locale.ROOT);
            String value = value(next("a value"));
            if (value != null && property.equalsIgnoreCase("RecipientTypeDetails")) {
                value = String.valueOf(RecipientTypes.value(value));
            } else if (value != null && property.equalsIgnoreCase("PrimarySmtpAddress")) {
                value = "SMTP:" + value;
            }
            Filter equal = value == null ? Filter.createPresenceFilter(attribute) : Filter.createEqualityFilter(attribute, value);
            return switch (operator) {
                case "-eq" -> value == null ? Filter.createNOTFilter(equal) : equal;
                case "-ne" -> value == null ? equal : Filter.createNOTFilter(equal);
                case "-like" -> like(attribute, value);
                case "-notlike" -> Filter.createNOTFilter(like(attribute, value));
                default -> throw new IllegalArgumentException("unknown operator '" + operator
                        + "' in recipient filter; known: -eq, -ne, -like, -notlike");
            };
        }

        private static String attribute(String property) {
            String key = property.toLowerCase(Locale.ROOT);
            Matcher custom = CUSTOM_ATTRIBUTE.matcher(key);
            if (custom.matches() && Integer.parseInt(custom.group(1)) >= 1 && Integer.parseInt(custom.group(1)) <= 15) {
                return "extensionAttribute" + custom.group(1);
            }
            String attribute = ATTRIBUTES.get(key);
            if (attribute == null) {
                throw new IllegalArgumentException("the simulator cannot evaluate the property '" + property
                        + "' in a recipient filter");
            }
            return attribute;
        }

        private static Filter like(String attribute, String pattern) {
            if (pattern == null) {
                throw new IllegalArgumentException("-like needs a pattern, not $null");
            }
            if (!pattern.contains("*")) {
                return Filter.createEqualityFilter(attribute, pattern);
            }
            String[] parts = pattern.split("\\*", -1);
            List<String> any = new ArrayList<>();
            for (int i = 1; i < parts.length - 1; i++) {
                if (!parts[i].isEmpty()) {
                    any.add(parts[i]);
                }
            }
            String initial = parts[0].isEmpty() ? null : parts[0];
            String last = parts[parts.length - 1].isEmpty() ? null : parts[parts.length - 1];
            if (initial == null && last == null && any.isEmpty()) {
                return Filter.createPresenceFilter(attribute);
            }
            return Filter.createSubstringFilter(attribute, initial, any.toArray(String[]::new), last);
        }

        private static String value(String token) {
            if (token.length() >= 2 && token.charAt(0) == '\'') {
                return token.substring(1, token.length() - 1).replace("''", "'");
            }
            if (token.length() >= 2 && token.charAt(0) == '"') {
                return token.substring(1, token.length() - 1);
            }
            return token.equalsIgnoreCase("$null") ? null : token;
        }
    }
}
