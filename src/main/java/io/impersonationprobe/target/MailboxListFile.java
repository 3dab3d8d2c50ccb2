package io.impersonationprobe.target;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads a mailbox list: one address per line, blank lines and {@code #} comments ignored. */
public final class MailboxListFile {
    private MailboxListFile() {
    }

    public static List<String> read(Path file) throws IOException {
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        }
    }
}
