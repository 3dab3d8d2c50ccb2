package io.impersonationprobe.testing;

import java.util.concurrent.TimeUnit;

/** Ending the outside processes tests start: politely first, then by force. */
final class Processes {
    private Processes() {
    }

    static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
