package io.impersonationprobe.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.impersonationprobe.config.InvalidConfigurationException;
import io.impersonationprobe.config.ProbeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The state directory ({@code impersonation.state.directory}): versioned documents, written atomically (a temporary
 * file, flushed to disk, then renamed over the old one) and readable by the daemon's user only. A file that cannot be
 * read, is corrupt, or comes from a newer version of the daemon is logged and set aside under a new name, never a
 * crash and never overwritten. Without a directory nothing is read or written.
 */
@ApplicationScoped
public class StateDirectory {
    /** The format this daemon writes; a file with a higher one is from a newer daemon and is set aside. */
    public static final int FORMAT = 1;
    private static final Logger LOG = Logger.getLogger(StateDirectory.class);
    private static final String PROPERTY = "impersonation.state.directory";
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private final Path directory;
    private final ObjectMapper json;
    private final Clock clock;

    /** A document as it was saved. */
    public record Saved<T>(T data, Instant savedAt) {
    }

    /** What a file holds: the format, when it was written, and the document. */
    private record Envelope(int format, Instant savedAt, JsonNode data) {
    }

    @Inject
    public StateDirectory(ProbeConfig config, Clock clock) {
        this(config.state().directory().orElse(null), clock);
    }

    /** A state directory at {@code directory}, or none when it is null; creates it owner-only if it is missing. */
    public StateDirectory(Path directory, Clock clock) {
        this.clock = clock;
        this.json = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        this.directory = directory;
        if (directory != null) {
            prepare(directory);
        }
    }

    private static void prepare(Path directory) {
        try {
            if (!Files.isDirectory(directory)) {
                Files.createDirectories(directory, ownerOnly(directory, OWNER_ONLY_DIRECTORY));
            }
            Path probe = Files.createTempFile(directory, ".write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new InvalidConfigurationException(List.of(PROPERTY + ": cannot create or write the directory "
                    + directory + " (" + e.getClass().getSimpleName() + "); it must be writable by the daemon's user"));
        }
    }

    public boolean enabled() {
        return directory != null;
    }

    /** Where the state is kept, for the startup log; empty without a directory. */
    public Optional<Path> location() {
        return Optional.ofNullable(directory);
    }

    /**
     * Reads a document, or empty when there is none (or no directory). A file that cannot be read as this format is
     * set aside and logged once.
     */
    public <T> Optional<Saved<T>> read(String name, Class<T> type) {
        if (directory == null) {
            return Optional.empty();
        }
        Path file = directory.resolve(fileName(name));
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            Envelope envelope = json.readValue(in, Envelope.class);
            if (envelope.format() > FORMAT) {
                setAside(file, "it was written in format " + envelope.format() + " by a newer daemon (this one reads "
                        + FORMAT + ")");
                return Optional.empty();
            }
            if (envelope.format() < 1 || envelope.data() == null || envelope.savedAt() == null) {
                setAside(file, "it is not a state file of this daemon");
                return Optional.empty();
            }
            return Optional.of(new Saved<>(json.treeToValue(envelope.data(), type), envelope.savedAt()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            setAside(file, "it cannot be read (" + e.getClass().getSimpleName() + ")");
            return Optional.empty();
        }
    }

    /** Writes a document atomically; a failure is logged and the previous file stays. No-op without a directory. */
    public void write(String name, Object data) {
        if (directory == null) {
            return;
        }
        Path file = directory.resolve(fileName(name));
        Path temporary = null;
        try {
            temporary = Files.createTempFile(directory, "." + fileName(name), ".tmp", ownerOnly(directory, OWNER_ONLY_FILE));
            Envelope envelope = new Envelope(FORMAT, clock.instant(), json.valueToTree(data));
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(temporary, StandardOpenOption.WRITE))) {
                json.writeValue(out, envelope);
            }
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
            temporary = null;
        } catch (IOException | RuntimeException e) {
            LOG.warnf("State %s could not be written to %s (%s): the previous copy stays", name, directory,
                    e.getClass().getSimpleName());
        } finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // a leftover temporary file is overwritten by nothing and harmless
                }
            }
        }
    }

    /** The file of a document: its name with anything but letters, digits, dot, dash and underscore escaped. */
    static String fileName(String name) {
        StringBuilder file = new StringBuilder();
        for (char c : name.toCharArray()) {
            if (Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '-' || c == '_') {
                file.append(c);
            } else {
                file.append('%').append(String.format("%02X", (int) c));
            }
        }
        return file.append(".json.gz").toString();
    }

    private void setAside(Path file, String why) {
        Path aside = file.resolveSibling(file.getFileName() + ".unreadable-" + clock.instant().toEpochMilli());
        try {
            Files.move(file, aside);
            LOG.warnf("State file %s was set aside as %s: %s; the daemon starts without it", file, aside.getFileName(), why);
        } catch (FileAlreadyExistsException e) {
            LOG.warnf("State file %s is ignored: %s", file, why);
        } catch (IOException e) {
            LOG.warnf("State file %s is ignored (%s) and could not be set aside (%s)", file, why,
                    e.getClass().getSimpleName());
        }
    }

    private static FileAttribute<?>[] ownerOnly(Path directory, Set<PosixFilePermission> permissions) {
        Path existing = directory;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        boolean posix = existing != null && existing.getFileSystem().supportedFileAttributeViews().contains("posix");
        return posix ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(permissions)} : new FileAttribute<?>[0];
    }
}
