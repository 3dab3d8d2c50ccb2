package io.impersonationprobe.config;

import io.impersonationprobe.Printable;
import io.impersonationprobe.target.MailboxAddress;
import io.impersonationprobe.target.MailboxListFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A group's mailboxes: its {@code mailboxes} list and its {@code mailboxes-file}, every address checked before it
 * goes near an HTTP header or a SOAP body, normalised to lower case and kept once, in the order given.
 */
final class MailboxResolver {
    private MailboxResolver() {
    }

    /**
     * @param prefix the group's properties, such as {@code impersonation.groups.canaries}
     * @return the well-formed addresses; each other entry is a problem that names its place
     */
    static Set<String> resolve(String prefix, ProbeConfig.Group group, Problems problems) {
        Set<String> mailboxes = new LinkedHashSet<>();
        List<String> inline = group.mailboxes().orElse(List.of());
        for (int i = 0; i < inline.size(); i++) {
            add(prefix + ".mailboxes[" + i + "]", inline.get(i).strip(), mailboxes, problems);
        }
        group.mailboxesFile().ifPresent(file -> file(prefix + ".mailboxes-file", file, mailboxes, problems));
        return mailboxes;
    }

    private static void file(String property, Path file, Set<String> mailboxes, Problems problems) {
        List<String> entries;
        try {
            entries = MailboxListFile.read(file);
        } catch (IOException e) {
            problems.add(property, "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
            return;
        } catch (UncheckedIOException e) {
            // The lines are read lazily, so text that is not UTF-8 shows up while they are.
            problems.add(property, "cannot read " + file + " (" + e.getCause().getClass().getSimpleName() + ")");
            return;
        }
        for (int i = 0; i < entries.size(); i++) {
            add(property + " (" + file + ", entry " + (i + 1) + ")", entries.get(i), mailboxes, problems);
        }
    }

    private static void add(String place, String text, Set<String> mailboxes, Problems problems) {
        String problem = MailboxAddress.problemWith(text);
        if (problem != null) {
            problems.add(place, "'" + Printable.of(text, 80) + "' " + problem);
        } else {
            mailboxes.add(text.toLowerCase(Locale.ROOT));
        }
    }
}
