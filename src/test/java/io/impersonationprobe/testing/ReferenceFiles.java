package io.impersonationprobe.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Microsoft's EWS schema and recorded responses, read where they sit beside the project (or from
 * {@code EWS_REFERENCE_DIR}). They are not part of the project; tests that need them skip, saying why, without them.
 */
public final class ReferenceFiles {
    private ReferenceFiles() {
    }

    public static Path ewsDir() {
        String configured = System.getenv("EWS_REFERENCE_DIR");
        return Path.of(configured != null ? configured : "../shared/reference/ews").toAbsolutePath().normalize();
    }

    /** The folder, or a skipped test with the reason printed. */
    public static Path requireEws() {
        Path dir = ewsDir();
        if (!Files.isDirectory(dir.resolve("schema"))) {
            String reason = "EWS reference material not found at " + dir + " (set EWS_REFERENCE_DIR); skipping";
            System.out.println("SKIPPED: " + reason);
            Assumptions.abort(reason);
        }
        return dir;
    }
}
