package io.impersonationprobe.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An outside program a test needs (promtool, prometheus, chromium): found on PATH, required in CI (the environment
 * variable CI is set, and .ci/run installs it), and a printed skip elsewhere.
 */
public final class RequiredTool {
    private RequiredTool() {
    }

    /** The first of {@code names} on PATH; {@code install} says how to get it. */
    public static Path find(String install, String... names) {
        for (String name : names) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        String reason = names[0] + " not found on PATH (" + install + ")";
        if (System.getenv("CI") != null) {
            throw new AssertionError(reason + "; CI must install it");
        }
        System.out.println("SKIPPED: " + reason);
        Assumptions.abort(reason);
        return null;
    }
}
