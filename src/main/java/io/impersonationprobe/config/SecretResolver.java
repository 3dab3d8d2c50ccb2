package io.impersonationprobe.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads a credential given either inline (through the environment) or as a file whose trimmed content it is, such
 * as a mounted Kubernetes secret. The file property is the inline one's name with {@code -file}.
 */
final class SecretResolver {
    private SecretResolver() {
    }

    /** The secret, or empty with a problem when it is not set, set twice or unreadable. */
    static Optional<Secret> required(String property, Optional<Secret> inline, Optional<Path> file, Problems problems) {
        int before = problems.count();
        Optional<Secret> secret = optional(property, inline, file, problems);
        if (secret.isEmpty() && problems.count() == before) {
            problems.add(property, "is required; give it through the environment or set " + leaf(property) + "-file");
        }
        return secret;
    }

    /** The secret, or empty when it is not set; a problem when it is set twice or unreadable. */
    static Optional<Secret> optional(String property, Optional<Secret> inline, Optional<Path> file, Problems problems) {
        if (inline.isPresent() && file.isPresent()) {
            problems.add(property, "set either " + leaf(property) + " or " + leaf(property) + "-file, not both");
            return Optional.empty();
        }
        if (file.isPresent()) {
            return read(property + "-file", file.get(), problems);
        }
        return inline.filter(secret -> !secret.isBlank());
    }

    private static Optional<Secret> read(String property, Path file, Problems problems) {
        try {
            String value = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (value.isEmpty()) {
                problems.add(property, "the file " + file + " is empty");
                return Optional.empty();
            }
            return Optional.of(Secret.of(value));
        } catch (IOException e) {
            problems.add(property, "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
            return Optional.empty();
        }
    }

    private static String leaf(String property) {
        return property.substring(property.lastIndexOf('.') + 1);
    }
}
