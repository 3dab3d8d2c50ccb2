package io.impersonationprobe.control.onprem;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The subset of OPATH that Exchange writes, normalized, into a management scope's {@code msExchQueryFilter}:
 * comparisons ({@code -eq}, {@code -ne}, {@code -like}, {@code -notlike}, against a quoted value or {@code $null}),
 * {@code -and}, {@code -or}, {@code -not} and parentheses. Evaluated in three-valued logic: a property the daemon
 * cannot read ({@link Recipient#values} empty) is unknown, and so is anything that depends on it, never a guess.
 * This is the daemon's own evaluator; the simulator keeps its own.
 */
final class OpathFilter {
    private final String text;
    private final Node root;

    /** A truth value that may be unknown. */
    enum Truth {
        TRUE, FALSE, UNKNOWN;

        Truth not() {
            return this == TRUE ? FALSE : this == FALSE ? TRUE : UNKNOWN;
        }

        Truth and(Truth other) {
            return this == FALSE || other == FALSE ? FALSE : this == TRUE && other == TRUE ? TRUE : UNKNOWN;
        }

        Truth or(Truth other) {
            return this == TRUE || other == TRUE ? TRUE : this == FALSE && other == FALSE ? FALSE : UNKNOWN;
        }

        static Truth of(boolean value) {
            return value ? TRUE : FALSE;
        }
    }

    /** A recipient as the filter sees it. */
    interface Recipient {
        /**
         * The property's values (empty when not set), or empty when the daemon cannot read this property.
         *
         * @param property the OPATH property name, case-insensitive
         */
        Optional<List<String>> values(String property);

        /** Whether two values of the property are equal (Exchange compares case-insensitively; DNs as DNs). */
        boolean equal(String property, String value, String other);
    }

    private OpathFilter(String text, Node root) {
        this.text = text;
        this.root = root;
    }

    /** Parses a filter; an unparsable one is an {@link IllegalArgumentException} naming where it stopped. */
    static OpathFilter parse(String text) {
        Parser parser = new Parser(text);
        Node root = parser.expression();
        parser.expectEnd();
        return new OpathFilter(text, root);
    }

    String text() {
        return text;
    }

    Truth evaluate(Recipient recipient) {
        return root.evaluate(recipient);
    }

    /** The properties the filter names, in order. */
    Set<String> properties() {
        Set<String> names = new LinkedHashSet<>();
        root.collect(names);
        return names;
    }

    private interface Node {
        Truth evaluate(Recipient recipient);

        void collect(Set<String> names);
    }

    private record Not(Node inner) implements Node {
        public Truth evaluate(Recipient r) {
            return inner.evaluate(r).not();
        }

        public void collect(Set<String> names) {
            inner.collect(names);
        }
    }

    private record Binary(Node left, Node right, boolean and) implements Node {
        public Truth evaluate(Recipient r) {
            Truth l = left.evaluate(r);
            // Short-circuit as PowerShell does; unknown still looks at the right side.
            if (and && l == Truth.FALSE || !and && l == Truth.TRUE) {
                return l;
            }
            Truth rt = right.evaluate(r);
            return and ? l.and(rt) : l.or(rt);
        }

        public void collect(Set<String> names) {
            left.collect(names);
            right.collect(names);
        }
    }

    private record Comparison(String property, String operator, String value) implements Node {
        public Truth evaluate(Recipient r) {
            Optional<List<String>> known = r.values(property);
            if (known.isEmpty()) {
                return Truth.UNKNOWN;
            }
            List<String> values = known.get();
            boolean negated = operator.equals("-ne") || operator.equals("-notlike");
            boolean any;
            if (value == null) {
                any = values.isEmpty(); // -eq $null: not set
            } else if (operator.endsWith("like")) {
                Pattern pattern = glob(value);
                any = values.stream().anyMatch(v -> pattern.matcher(v).matches());
            } else {
                any = values.stream().anyMatch(v -> r.equal(property, v, value));
            }
            // A multi-valued property "-ne x" holds when no value is x, as Exchange evaluates it.
            return Truth.of(negated != any);
        }

        public void collect(Set<String> names) {
            names.add(property);
        }

        private static Pattern glob(String value) {
            StringBuilder regex = new StringBuilder();
            for (String part : value.split("\\*", -1)) {
                if (!regex.isEmpty()) {
                    regex.append(".*");
                }
                regex.append(Pattern.quote(part));
            }
            return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
        }
    }

    /** Recursive descent over the tokens: or := and (-or and)*; and := unary (-and unary)*. */
    private static final class Parser {
        private static final Set<String> OPERATORS = Set.of("-eq", "-ne", "-like", "-notlike");
        private final String text;
        private final List<String> tokens = new ArrayList<>();
        private int position;

        Parser(String text) {
            this.text = text;
            tokenize(text);
        }

        private void tokenize(String s) {
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '(' || c == ')') {
                    tokens.add(String.valueOf(c));
                    i++;
                } else if (c == '\'' || c == '"') {
                    // A quote doubled inside a quoted value stands for itself, as in PowerShell.
                    StringBuilder value = new StringBuilder();
                    int j = i + 1;
                    while (true) {
                        if (j >= s.length()) {
                            throw new IllegalArgumentException("unterminated quoted value in '" + text + "'");
                        }
                        if (s.charAt(j) == c) {
                            if (j + 1 < s.length() && s.charAt(j + 1) == c) {
                                value.append(c);
                                j += 2;
                                continue;
                            }
                            break;
                        }
                        value.append(s.charAt(j++));
                    }
                    tokens.add("\u0000" + value);
                    i = j + 1;
                } else {
                    int j = i;
                    while (j < s.length() && !Character.isWhitespace(s.charAt(j)) && "()'\"".indexOf(s.charAt(j)) < 0) {
                        j++;
                    }
                    tokens.add(s.substring(i, j));
                    i = j;
                }
            }
        }

        private String peek() {
            return position < tokens.size() ? tokens.get(position) : null;
        }

        private String next() {
            String token = peek();
            if (token == null) {
                throw new IllegalArgumentException("'" + text + "' ends too early");
            }
            position++;
            return token;
        }

        private boolean accept(String keyword) {
            String token = peek();
            if (token != null && token.equalsIgnoreCase(keyword)) {
                position++;
                return true;
            }
            return false;
        }

        Node expression() {
            Node left = conjunction();
            while (accept("-or")) {
                left = new Binary(left, conjunction(), false);
            }
            return left;
        }

        private Node conjunction() {
            Node left = unary();
            while (accept("-and")) {
                left = new Binary(left, unary(), true);
            }
            return left;
        }

        private Node unary() {
            if (accept("-not")) {
                return new Not(unary());
            }
            if (accept("(")) {
                Node inner = expression();
                if (!accept(")")) {
                    throw new IllegalArgumentException("missing ')' in '" + text + "'");
                }
                return inner;
            }
            String property = next();
            if (property.startsWith("\u0000") || property.startsWith("-") || property.equals(")")) {
                throw new IllegalArgumentException("expected a property name in '" + text + "', found '"
                        + property.replace("\u0000", "") + "'");
            }
            String operator = next().toLowerCase(Locale.ROOT);
            if (!OPERATORS.contains(operator)) {
                throw new IllegalArgumentException("unsupported operator '" + operator + "' in '" + text + "'");
            }
            String value = next();
            if (value.startsWith("\u0000")) {
                return new Comparison(property, operator, value.substring(1));
            }
            if (value.equalsIgnoreCase("$null")) {
                if (operator.endsWith("like")) {
                    throw new IllegalArgumentException(operator + " $null in '" + text + "'");
                }
                return new Comparison(property, operator, null);
            }
            if (value.matches("[0-9A-Za-z_.@-]+")) {
                return new Comparison(property, operator, value); // a bare word or number, as PowerShell allows
            }
            throw new IllegalArgumentException("unsupported value '" + value + "' in '" + text + "'");
        }

        void expectEnd() {
            if (peek() != null) {
                throw new IllegalArgumentException("unexpected '" + peek().replace("\u0000", "") + "' in '" + text + "'");
            }
        }
    }
}
