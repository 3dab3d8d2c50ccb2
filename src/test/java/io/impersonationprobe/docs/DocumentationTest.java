package io.impersonationprobe.docs;

import io.impersonationprobe.probe.Outcome;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigMappings;
import io.smallrye.config.ConfigMappings.ConfigClass;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documentation against the code, so that neither changes without the other. The configuration page names every
 * property of every {@code @ConfigMapping} interface, with its default; the outcomes page names every
 * {@link Outcome} with its verdict; property names and environment variables mentioned anywhere exist; every
 * relative link resolves, anchors included; and the README stays a short front door that links every page.
 * <p>
 * The properties come from SmallRye Config's own walk of the interfaces ({@link ConfigMappings#getProperties}), the
 * one that decides at runtime which names the daemon reads: method names in kebab case, {@code @WithName} and
 * {@code @WithParentName} honoured, nested interfaces as nested segments, {@code Map} keys as {@code *}, list
 * elements as {@code [*]}. The interfaces are found by scanning the compiled main classes, so a property or a whole
 * mapping added later is caught without touching this test.
 */
class DocumentationTest {
    static final Path README = Path.of("README.md");
    static final Path PAGES = Path.of("src", "site", "markdown");
    /** The alerts link to the runbook where it is, and it links into the pages. */
    static final Path RUNBOOK = Path.of("deploy", "RUNBOOK.md");
    static final Path CONFIGURATION = PAGES.resolve("configuration.md");
    static final Path OUTCOMES = PAGES.resolve("outcomes.md");
    static final int README_MAX_LINES = 250;

    /** A documented map key, such as {@code <tenant>}: it stands for the {@code *} segment of SmallRye's names. */
    private static final Pattern PLACEHOLDER = Pattern.compile("<[^<>]+>");
    private static final Set<String> VERDICTS = Set.of("ALLOWED", "DENIED", "ERROR");

    /** Every configuration property as SmallRye names it, with its {@code @WithDefault} value. */
    private static Map<String, Optional<String>> properties;
    /** What looks like one of those properties, or like its environment variable: it starts with a mapping's prefix. */
    private static Pattern propertyMention;
    private static Pattern variableMention;
    private static List<Markdown> documents;

    @BeforeAll
    static void load() throws IOException, URISyntaxException {
        properties = new TreeMap<>();
        List<Class<?>> mappings = configMappings();
        for (Class<?> mapping : mappings) {
            String prefix = mapping.getAnnotation(ConfigMapping.class).prefix();
            ConfigMappings.getProperties(ConfigClass.configClass(mapping, prefix)).forEach((name, property) -> {
                // A list's elements; the list itself is the property an admin sets.
                if (!name.endsWith("[*]")) {
                    properties.put(name, property.hasDefaultValue()
                            ? Optional.ofNullable(property.getDefaultValue()) : Optional.empty());
                }
            });
        }
        Set<String> prefixes = mappings.stream().map(m -> m.getAnnotation(ConfigMapping.class).prefix())
                .collect(Collectors.toSet());
        assertTrue(prefixes.containsAll(Set.of("impersonation", "simulator")),
                "the scan found the daemon's and the simulator's mappings, found " + prefixes);
        String names = prefixes.stream().map(Pattern::quote).collect(Collectors.joining("|"));
        String variables = prefixes.stream().map(p -> Pattern.quote(p.replaceAll("[^A-Za-z0-9]", "_")
                .toUpperCase(Locale.ROOT))).collect(Collectors.joining("|"));
        propertyMention = Pattern.compile("(?:" + names + ")\\.[A-Za-z0-9.<>*_\\[\\]-]+");
        variableMention = Pattern.compile("(?:" + variables + ")_[A-Z0-9_<>-]+");
        List<Path> files = new ArrayList<>(List.of(README, RUNBOOK));
        files.addAll(pages());
        documents = new ArrayList<>();
        for (Path file : files) {
            documents.add(Markdown.read(file));
        }
    }

    @Test
    void readmeIsAShortFrontDoorThatLinksEveryPage() throws IOException {
        Markdown readme = document(README);
        int lines = readme.lines().size();
        assertTrue(lines <= README_MAX_LINES, "README.md has " + lines + " lines; at most " + README_MAX_LINES
                + " (move the detail into a page under " + PAGES + ")");
        List<String> problems = new ArrayList<>();
        Set<Path> linked = readme.links().stream().map(Link::target).collect(Collectors.toSet());
        for (Path page : pages()) {
            if (!linked.contains(page)) {
                problems.add("README.md does not link " + page);
            }
            if (document(page).links().stream().noneMatch(l -> l.target().equals(README))) {
                problems.add(page + " does not link back to README.md");
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void configurationPageNamesEveryPropertyWithItsDefault() {
        Map<String, List<String>> rows = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (List<String> row : document(CONFIGURATION).tableRows()) {
            Optional<String> name = codeSpan(row.get(0)).filter(n -> propertyMention.matcher(n).matches());
            if (name.isEmpty()) {
                continue;
            }
            String property = PLACEHOLDER.matcher(name.get()).replaceAll("*");
            if (!properties.containsKey(property)) {
                problems.add(CONFIGURATION + " documents " + name.get() + ", which no @ConfigMapping declares");
            } else if (rows.put(property, row) != null) {
                problems.add(CONFIGURATION + " documents " + name.get() + " twice");
            }
        }
        properties.forEach((property, defaultValue) -> {
            List<String> row = rows.get(property);
            String shown = property.replace("*", "<key>");
            if (row == null) {
                problems.add(CONFIGURATION + " has no table row for " + shown + " (name | default | meaning)");
            } else if (row.size() < 3) {
                problems.add(CONFIGURATION + ": the row of " + shown + " needs a default and a meaning");
            } else if (defaultValue.isPresent() && !row.get(1).contains("`" + defaultValue.get() + "`")) {
                problems.add(CONFIGURATION + ": the default of " + shown + " is `" + defaultValue.get()
                        + "` in the code, the page says: " + row.get(1));
            }
        });
        assertNoProblems(problems);
    }

    @Test
    void outcomesPageNamesEveryOutcomeWithItsVerdict() {
        Map<String, List<String>> rows = new HashMap<>();
        List<String> problems = new ArrayList<>();
        Set<String> labels = Arrays.stream(Outcome.values()).map(Outcome::label).collect(Collectors.toSet());
        for (List<String> row : document(OUTCOMES).tableRows()) {
            Optional<String> label = codeSpan(row.get(0));
            if (label.isEmpty() || row.size() < 5 || !VERDICTS.contains(row.get(1))) {
                continue;
            }
            if (!labels.contains(label.get())) {
                problems.add(OUTCOMES + " documents the outcome " + label.get() + ", which Outcome does not have");
            }
            rows.put(label.get(), row);
        }
        for (Outcome outcome : Outcome.values()) {
            List<String> row = rows.get(outcome.label());
            if (row == null) {
                problems.add(OUTCOMES + " has no row for " + outcome.label()
                        + " (outcome | verdict | transient | cause | fix)");
                continue;
            }
            if (!row.get(1).equals(outcome.verdict().name())) {
                problems.add(OUTCOMES + ": " + outcome.label() + " has the verdict " + outcome.verdict()
                        + ", the page says " + row.get(1));
            }
            String transientOutcome = outcome.isTransient() ? "yes" : "no";
            if (!row.get(2).equals(transientOutcome)) {
                problems.add(OUTCOMES + ": " + outcome.label() + " is transient: " + transientOutcome
                        + ", the page says " + row.get(2));
            }
            if (row.get(3).isBlank() || row.get(4).isBlank()) {
                problems.add(OUTCOMES + ": " + outcome.label() + " needs a cause and a fix");
            }
        }
        assertNoProblems(problems);
    }

    /** A renamed or removed property must not live on in the prose, the examples or the environment variables. */
    @Test
    void everyPropertyAndVariableMentionedExists() {
        List<Pattern> mentions = properties.keySet().stream().map(p -> namePattern(p, true)).toList();
        List<Pattern> names = properties.keySet().stream().map(p -> namePattern(p, false)).toList();
        List<Pattern> variables = properties.keySet().stream().map(DocumentationTest::variablePattern).toList();
        List<String> problems = new ArrayList<>();
        for (Markdown document : documents) {
            for (String span : document.codeSpans()) {
                String mention = span.replaceFirst("^-D", "").replaceFirst("=.*$", "").replaceAll("\\[\\d+]", "");
                if (propertyMention.matcher(mention).matches() && !known(mention, mentions)) {
                    problems.add(document.path() + " mentions `" + span + "`, which is no configuration property");
                }
                if (variableMention.matcher(mention).matches() && !known(mention, variables)) {
                    problems.add(document.path() + " mentions `" + span + "`, which names no configuration property");
                }
            }
            for (String key : document.propertiesKeys()) {
                String property = key.replaceFirst("^%[^.]+\\.", "");
                if (propertyMention.matcher(property).matches() && !known(property, names)) {
                    problems.add(document.path() + " sets " + key + " in an example, which is no property");
                }
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void relativeLinksPointAtFilesAndHeadingsThatExist() throws IOException {
        List<String> problems = new ArrayList<>();
        Map<Path, Set<String>> anchors = new HashMap<>();
        for (Markdown document : documents) {
            for (Link link : document.links()) {
                if (!Files.exists(link.target())) {
                    problems.add(document.path() + " links " + link.text() + ", which does not exist");
                    continue;
                }
                if (link.anchor().isEmpty()) {
                    continue;
                }
                if (!link.target().toString().endsWith(".md")) {
                    problems.add(document.path() + " links " + link.text() + ": anchors only into Markdown files");
                    continue;
                }
                Set<String> headings = anchors.computeIfAbsent(link.target(), DocumentationTest::anchorsOf);
                if (!headings.contains(link.anchor().get())) {
                    problems.add(document.path() + " links " + link.text() + ", but " + link.target()
                            + " has no heading with that anchor");
                }
            }
        }
        assertNoProblems(problems);
    }

    private static List<Path> pages() throws IOException {
        try (Stream<Path> files = Files.list(PAGES)) {
            return files.filter(f -> f.toString().endsWith(".md")).map(Path::normalize).sorted().toList();
        }
    }

    private static Markdown document(Path path) {
        return documents.stream().filter(d -> d.path().equals(path.normalize())).findFirst().orElseThrow(
                () -> new AssertionError(path + " is missing"));
    }

    private static Set<String> anchorsOf(Path file) {
        try {
            Optional<Markdown> read = documents.stream().filter(d -> d.path().equals(file)).findFirst();
            return (read.isPresent() ? read.get() : Markdown.read(file)).headingAnchors();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    /** The content of a table cell that is one code span, such as {@code `ok`}. */
    private static Optional<String> codeSpan(String cell) {
        Matcher matcher = Markdown.CODE_SPAN.matcher(cell);
        return matcher.matches() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    /**
     * A property name as a pattern: each SmallRye segment as written, {@code *} standing for a concrete map key or a
     * documented placeholder such as {@code <tenant>}. With {@code groups}, a mention may also stop at a group, or
     * end in {@code .*} for all of it.
     */
    private static Pattern namePattern(String property, boolean groups) {
        List<String> segments = segments(property, s -> s);
        if (!groups) {
            return Pattern.compile(String.join("\\.", segments));
        }
        StringBuilder regex = new StringBuilder(segments.get(0));
        for (int i = 1; i < segments.size(); i++) {
            regex.append("(?:\\.").append(segments.get(i));
        }
        regex.append(")?".repeat(segments.size() - 1)).append("(?:\\.\\*)?");
        return Pattern.compile(regex.toString());
    }

    /**
     * A property's environment variable as a pattern: {@code impersonation.sharding.replica-index} is
     * {@code IMPERSONATION_SHARDING_REPLICA_INDEX}, a map key any key or a placeholder such as {@code <TENANT>}.
     */
    private static Pattern variablePattern(String property) {
        return Pattern.compile(String.join("_",
                segments(property, s -> s.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT))));
    }

    private static List<String> segments(String property, UnaryOperator<String> spell) {
        String anyKey = "(?:" + PLACEHOLDER.pattern() + "|[^.<>]+)";
        return Arrays.stream(property.split("\\.")).map(s -> s.equals("*") ? anyKey : Pattern.quote(spell.apply(s)))
                .toList();
    }

    private static boolean known(String mention, List<Pattern> patterns) {
        return patterns.stream().anyMatch(p -> p.matcher(mention).matches());
    }

    private static void assertNoProblems(List<String> problems) {
        assertTrue(problems.isEmpty(), () -> problems.size() + " problem(s):\n  " + String.join("\n  ", problems));
    }

    /** The compiled main classes' {@code @ConfigMapping} interfaces, whatever their package. */
    private static List<Class<?>> configMappings() throws IOException, URISyntaxException {
        Path classes = Path.of(Outcome.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        try (Stream<Path> files = Files.walk(classes)) {
            return files.filter(f -> f.toString().endsWith(".class"))
                    .map(f -> classes.relativize(f).toString().replace(f.getFileSystem().getSeparator(), ".")
                            .replaceFirst("\\.class$", ""))
                    .map(DocumentationTest::loadWithoutInitialising)
                    .filter(c -> c.isInterface() && c.isAnnotationPresent(ConfigMapping.class))
                    .sorted(Comparator.comparing(Class::getName))
                    .toList();
        }
    }

    private static Class<?> loadWithoutInitialising(String name) {
        try {
            return Class.forName(name, false, DocumentationTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A relative link: where it points and to which heading, if any. */
    record Link(String text, Path target, Optional<String> anchor) {
    }

    /** A Markdown file as far as these checks read it: prose outside code blocks, tables, links, headings. */
    record Markdown(Path path, List<String> lines) {
        private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)\\s*(\\S*).*$");
        private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
        static final Pattern CODE_SPAN = Pattern.compile("`([^`]+)`");
        private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
        private static final Pattern ABSOLUTE = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");

        static Markdown read(Path path) throws IOException {
            return new Markdown(path.normalize(), Files.readAllLines(path));
        }

        /** Lines outside fenced code blocks. */
        List<String> prose() {
            return lines(null);
        }

        /** Keys set in {@code properties} code blocks. */
        List<String> propertiesKeys() {
            return lines("properties").stream()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#") && l.contains("="))
                    .map(l -> l.substring(0, l.indexOf('=')).strip())
                    .toList();
        }

        /** The lines of the code blocks in {@code language}, or with null the lines outside every code block. */
        private List<String> lines(String language) {
            List<String> out = new ArrayList<>();
            String fence = null;
            for (String line : lines) {
                Matcher m = FENCE.matcher(line);
                if (m.matches()) {
                    fence = fence == null ? m.group(2) : null;
                } else if (language == null ? fence == null : language.equals(fence)) {
                    out.add(line);
                }
            }
            return out;
        }

        /** Table rows outside code blocks, cells trimmed, without the header separator. */
        List<List<String>> tableRows() {
            List<List<String>> rows = new ArrayList<>();
            for (String line : prose()) {
                String row = line.strip();
                if (!row.startsWith("|")) {
                    continue;
                }
                List<String> cells = Arrays.stream(row.substring(1).split("(?<!\\\\)\\|", -1))
                        .map(String::strip).collect(Collectors.toCollection(ArrayList::new));
                if (!cells.isEmpty() && cells.get(cells.size() - 1).isEmpty()) {
                    cells.remove(cells.size() - 1);
                }
                if (!cells.isEmpty() && cells.stream().allMatch(c -> c.matches(":?-+:?"))) {
                    continue;
                }
                rows.add(cells);
            }
            return rows;
        }

        /** Code spans in the prose (tables included). */
        List<String> codeSpans() {
            List<String> spans = new ArrayList<>();
            for (String line : prose()) {
                Matcher m = CODE_SPAN.matcher(line);
                while (m.find()) {
                    spans.add(m.group(1));
                }
            }
            return spans;
        }

        /** Relative links of the prose, resolved against this file's folder. */
        List<Link> links() {
            List<Link> links = new ArrayList<>();
            for (String line : prose()) {
                Matcher m = LINK.matcher(CODE_SPAN.matcher(line).replaceAll(""));
                while (m.find()) {
                    String href = m.group(1);
                    if (ABSOLUTE.matcher(href).matches()) {
                        continue;
                    }
                    int hash = href.indexOf('#');
                    String file = hash < 0 ? href : href.substring(0, hash);
                    Optional<String> anchor = hash < 0 ? Optional.empty() : Optional.of(href.substring(hash + 1));
                    Path target = file.isEmpty() ? path : parent().resolve(file).normalize();
                    links.add(new Link(href, target, anchor));
                }
            }
            return links;
        }

        private Path parent() {
            return path.getParent() == null ? Path.of("") : path.getParent();
        }

        /** GitHub's heading anchors: lower case, punctuation dropped, spaces as dashes, repeats numbered. */
        Set<String> headingAnchors() {
            Map<String, Integer> seen = new HashMap<>();
            Set<String> anchors = new HashSet<>();
            for (String line : prose()) {
                Matcher m = HEADING.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                String text = m.group(2).replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
                String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
                int count = seen.merge(slug, 1, Integer::sum);
                anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
            }
            return anchors;
        }
    }
}
