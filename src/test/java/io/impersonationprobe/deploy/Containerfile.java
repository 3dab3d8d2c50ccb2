package io.impersonationprobe.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The instructions of {@code deploy/container/Containerfile}, read as a container build would read them. */
record Containerfile(List<Instruction> instructions) {
    static final Path PATH = Path.of("deploy", "container", "Containerfile");

    record Instruction(String keyword, String arguments) {
    }

    /** A COPY: sources relative to the build context (the project root), and the destination in the image. */
    record Copy(List<String> sources, String destination, boolean chown) {
    }

    static Containerfile read() {
        try {
            List<Instruction> instructions = new ArrayList<>();
            StringBuilder line = new StringBuilder();
            for (String raw : Files.readAllLines(PATH)) {
                String text = raw.strip();
                if (line.isEmpty() && (text.isEmpty() || text.startsWith("#"))) {
                    continue;
                }
                if (text.endsWith("\\")) {
                    line.append(text, 0, text.length() - 1).append(' ');
                    continue;
                }
                line.append(text);
                String[] parts = line.toString().split("\\s+", 2);
                instructions.add(new Instruction(parts[0].toUpperCase(), parts.length > 1 ? parts[1].strip() : ""));
                line.setLength(0);
            }
            return new Containerfile(instructions);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<String> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
    }

    /** The last value of a single-valued instruction (the one that takes effect). */
    String last(String keyword) {
        List<String> values = all(keyword);
        if (values.isEmpty()) {
            throw new AssertionError("the Containerfile has no " + keyword);
        }
        return values.get(values.size() - 1);
    }

    String workdir() {
        return last("WORKDIR");
    }

    int exposedPort() {
        return Integer.parseInt(last("EXPOSE").replace("/tcp", ""));
    }

    String user() {
        return last("USER");
    }

    List<Copy> copies() {
        List<Copy> copies = new ArrayList<>();
        for (String arguments : all("COPY")) {
            List<String> words = new ArrayList<>(Arrays.asList(arguments.split("\\s+")));
            boolean chown = words.removeIf(w -> w.startsWith("--chown") || w.startsWith("--chmod"));
            copies.add(new Copy(List.copyOf(words.subList(0, words.size() - 1)), words.get(words.size() - 1), chown));
        }
        return copies;
    }

    /** ENV in both forms ({@code ENV K=V K2="V 2"} and {@code ENV K V}). */
    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        java.util.regex.Pattern pair = java.util.regex.Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|'[^']*'|\\S+)");
        for (String arguments : all("ENV")) {
            var matcher = pair.matcher(arguments);
            boolean any = false;
            while (matcher.find()) {
                String value = matcher.group(2);
                env.put(matcher.group(1), value.length() > 1 && (value.startsWith("\"") || value.startsWith("'"))
                        ? value.substring(1, value.length() - 1) : value);
                any = true;
            }
            if (!any) {
                String[] kv = arguments.split("\\s+", 2);
                env.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return env;
    }
}
