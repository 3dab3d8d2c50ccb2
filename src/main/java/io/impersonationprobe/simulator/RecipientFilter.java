package io.impersonationprobe.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The part of Exchange's OPATH recipient filter language that management scopes use:
 * {@code Department -eq 'Sales' -or (RecipientTypeDetails -eq 'UserMailbox' -and -not (MemberOfGroup -eq 'Board'))}.
 * Comparisons are case-insensitive like Exchange's; {@code -like} takes {@code *} wildcards.
 */
public final class RecipientFilter {
    private static final List<String> PROPERTIES =
            List.of("PrimarySmtpAddress", "Alias", "Department", "RecipientTypeDetails", "MemberOfGroup");

    private final String text;
    private final Predicate<Mailbox> predicate;

    private RecipientFilter(String text, Predicate<Mailbox> predicate) {
        this.text = text;
        this.predicate = predicate;
    }

    /** Parses a filter, or throws {@link IllegalArgumentException} saying where and why it is invalid. */
    public static RecipientFilter parse(String text) {
        Parser parser = new Parser(tokenize(text));
        Predicate<Mailbox> predicate = parser.or();
        if (!parser.atEnd()) {
            throw new IllegalArgumentException("unexpected '" + parser.peek() + "' in recipient filter");
        }
        return new RecipientFilter(text, predicate);
    }

    public boolean matches(Mailbox mailbox) {
        return predicate.test(mailbox);
    }

    @Override
    public String toString() {
        return text;
    }

    private static List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')') {
                tokens.add(String.valueOf(c));
                i++;
            } else if (c == '\'' || c == '"') {
                int end = text.indexOf(c, i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated string in recipient filter");
                }
                tokens.add(text.substring(i, end + 1));
                i = end + 1;
            } else {
                int start = i;
                while (i < text.length() && !Character.isWhitespace(text.charAt(i)) && "()'\"".indexOf(text.charAt(i)) < 0) {
                    i++;
                }
                tokens.add(text.substring(start, i));
            }
        }
        return tokens;
    }

    private static final class Parser {
        private final List<String> tokens;
        private int position;

        Parser(List<String> tokens) {
            this.tokens = tokens;
        }

        boolean atEnd() {
            return position >= tokens.size();
        }

        String peek() {
            return atEnd() ? "end of filter" : tokens.get(position);
        }

        private String next(String expected) {
            if (atEnd()) {
                throw new IllegalArgumentException("recipient filter ends where " + expected + " was expected");
            }
            return tokens.get(position++);
        }

        private boolean accept(String keyword) {
            if (!atEnd() && tokens.get(position).equalsIgnoreCase(keyword)) {
                position++;
                return true;
            }
            return false;
        }

        Predicate<Mailbox> or() {
            Predicate<Mailbox> left = and();
            while (accept("-or")) {
                left = left.or(and());
            }
            return left;
        }

        Predicate<Mailbox> and() {
            Predicate<Mailbox> left = unary();
            while (accept("-and")) {
                left = left.and(unary());
            }
            return left;
        }

        Predicate<Mailbox> unary() {
            if (accept("-not")) {
                return unary().negate();
            }
            if (accept("(")) {
                Predicate<Mailbox> inner = or();
                if (!accept(")")) {
                    throw new IllegalArgumentException("missing ')' in recipient filter");
                }
                return inner;
            }
            return comparison();
        }

        Predicate<Mailbox> comparison() {
            String property = next("a property name");
            String canonical = PROPERTIES.stream().filter(p -> p.equalsIgnoreCase(property)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown property '" + property
                            + "' in recipient filter; known: " + String.join(", ", PROPERTIES)));
            String operator = next("an operator").toLowerCase(Locale.ROOT);
            String value = unquote(next("a value"));
            Predicate<String> test = switch (operator) {
                case "-eq" -> v -> value == null ? v == null : value.equalsIgnoreCase(v);
                case "-ne" -> v -> value == null ? v != null : !value.equalsIgnoreCase(v);
                case "-like" -> like(value);
                case "-notlike" -> like(value).negate();
                default -> throw new IllegalArgumentException("unknown operator '" + operator
                        + "' in recipient filter; known: -eq, -ne, -like, -notlike");
            };
            if (canonical.equals("MemberOfGroup")) {
                // A multi-valued property: -eq holds when any value matches, -ne when none does.
                boolean negative = operator.equals("-ne") || operator.equals("-notlike");
                Predicate<String> positive = negative ? test.negate() : test;
                return m -> negative != m.groups().stream().anyMatch(positive);
            }
            return m -> test.test(m.property(canonical));
        }

        private static Predicate<String> like(String pattern) {
            if (pattern == null) {
                throw new IllegalArgumentException("-like needs a pattern, not $null");
            }
            StringBuilder regex = new StringBuilder();
            for (String part : pattern.split("\\*", -1)) {
                regex.append(Pattern.quote(part)).append(".*");
            }
            Pattern compiled = Pattern.compile(regex.substring(0, regex.length() - 2), Pattern.CASE_INSENSITIVE);
            return v -> v != null && compiled.matcher(v).matches();
        }

        private static String unquote(String token) {
            if (token.length() >= 2 && (token.charAt(0) == '\'' || token.charAt(0) == '"')) {
                return token.substring(1, token.length() - 1);
            }
            if (token.equalsIgnoreCase("$null")) {
                return null;
            }
            return token;
        }
    }
}
