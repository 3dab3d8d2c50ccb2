package io.impersonationprobe.state;

import io.impersonationprobe.config.InvalidConfigurationException;
import io.impersonationprobe.testing.MovableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The state directory: atomic, versioned, owner-only, and never a crash on a bad file. */
class StateDirectoryTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    record Document(String name, Instant at, List<Integer> values, Map<String, String> extra) {
    }

    private final MovableClock clock = new MovableClock(T0);

    @Test
    void aDocumentComesBackAsItWasWritten(@TempDir Path dir) {
        StateDirectory state = new StateDirectory(dir.resolve("state"), clock);
        Document written = new Document("contoso", T0.minusSeconds(5), List.of(1, 2, 3), Map.of("k", "v"));
        state.write("control-plane-contoso", written);
        clock.advance(Duration.ofMinutes(1));
        StateDirectory.Saved<Document> read = state.read("control-plane-contoso", Document.class).orElseThrow();
        assertEquals(written, read.data());
        assertEquals(T0, read.savedAt(), "when it was written, by the daemon's clock");
        assertEquals(Optional.empty(), state.read("control-plane-fabrikam", Document.class), "none yet");
    }

    @Test
    void filesAndTheDirectoryAreTheDaemonUsersOnly(@TempDir Path dir) throws IOException {
        Path root = dir.resolve("state");
        new StateDirectory(root, clock).write("results-contoso", new Document("a", T0, List.of(), Map.of()));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
        try (Stream<Path> files = Files.list(root)) {
            List<Path> all = files.toList();
            assertEquals(List.of(root.resolve("results-contoso.json.gz")), all, "no temporary file is left");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(all.get(0))));
        }
    }

    @Test
    void aRewriteReplacesTheFileWhole(@TempDir Path dir) {
        StateDirectory state = new StateDirectory(dir, clock);
        state.write("doc", new Document("first", T0, List.of(1), Map.of()));
        state.write("doc", new Document("second", T0, List.of(2, 2), Map.of()));
        assertEquals("second", state.read("doc", Document.class).orElseThrow().data().name());
    }

    @Test
    void aCorruptFileIsSetAsideAndTheDaemonStartsWithout(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("doc.json.gz"), "not gzip at all");
        StateDirectory state = new StateDirectory(dir, clock);
        assertEquals(Optional.empty(), state.read("doc", Document.class));
        assertFalse(Files.exists(dir.resolve("doc.json.gz")), "set aside");
        assertTrue(Files.exists(dir.resolve("doc.json.gz.unreadable-" + T0.toEpochMilli())), "kept for a person to read");
        state.write("doc", new Document("fresh", T0, List.of(), Map.of()));
        assertEquals("fresh", state.read("doc", Document.class).orElseThrow().data().name());
    }

    @Test
    void aFileOfANewerFormatIsSetAsideNotOverwritten(@TempDir Path dir) throws IOException {
        gzip(dir.resolve("doc.json.gz"), "{\"format\":" + (StateDirectory.FORMAT + 1)
                + ",\"savedAt\":\"2026-11-30T00:00:00Z\",\"data\":{\"name\":\"from the future\"}}");
        StateDirectory state = new StateDirectory(dir, clock);
        assertEquals(Optional.empty(), state.read("doc", Document.class));
        assertTrue(Files.exists(dir.resolve("doc.json.gz.unreadable-" + T0.toEpochMilli())));
    }

    @Test
    void validJsonOfAnotherShapeIsSetAside(@TempDir Path dir) throws IOException {
        gzip(dir.resolve("doc.json.gz"), "[1,2,3]");
        StateDirectory state = new StateDirectory(dir, clock);
        assertEquals(Optional.empty(), state.read("doc", Document.class));
        gzip(dir.resolve("other.json.gz"), "{\"format\":1,\"savedAt\":\"2026-11-30T00:00:00Z\",\"data\":{\"values\":\"x\"}}");
        assertEquals(Optional.empty(), state.read("other", Document.class), "a field of the wrong type");
        assertTrue(Files.exists(dir.resolve("other.json.gz.unreadable-" + T0.toEpochMilli())));
    }

    @Test
    void namesCannotLeaveTheDirectory(@TempDir Path dir) throws IOException {
        StateDirectory state = new StateDirectory(dir.resolve("state"), clock);
        state.write("../../etc/tenant a", new Document("x", T0, List.of(), Map.of()));
        try (Stream<Path> files = Files.list(dir.resolve("state"))) {
            assertEquals(List.of("..%2F..%2Fetc%2Ftenant%20a.json.gz"),
                    files.map(f -> f.getFileName().toString()).toList());
        }
        assertEquals("x", state.read("../../etc/tenant a", Document.class).orElseThrow().data().name());
    }

    @Test
    void withoutADirectoryNothingIsWritten() {
        StateDirectory none = new StateDirectory((Path) null, clock);
        assertFalse(none.enabled());
        none.write("doc", new Document("x", T0, List.of(), Map.of()));
        assertEquals(Optional.empty(), none.read("doc", Document.class));
    }

    @Test
    void anUnusableDirectoryFailsStartupNamingTheProperty(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> new StateDirectory(file.resolve("state"), clock));
        assertTrue(e.getMessage().contains("impersonation.state.directory"), e.getMessage());
    }

    private static void gzip(Path file, String text) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
