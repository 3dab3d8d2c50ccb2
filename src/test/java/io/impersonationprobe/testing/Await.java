package io.impersonationprobe.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Polls a condition until it holds, failing the test with what it waited for when it does not in time. A condition
 * that throws ends the wait at once with its exception (for example, when the process it watches has died).
 */
public final class Await {
    private static final Duration POLL = Duration.ofMillis(100);

    private Await() {
    }

    public static void until(Duration timeout, String what, BooleanSupplier condition) {
        result(timeout, what, () -> condition.getAsBoolean() ? Optional.of(Boolean.TRUE) : Optional.empty());
    }

    /** The first value the supplier gives. */
    public static <T> T result(Duration timeout, String what, Supplier<Optional<T>> supplier) {
        Instant end = Instant.now().plus(timeout);
        while (Instant.now().isBefore(end)) {
            Optional<T> value = supplier.get();
            if (value.isPresent()) {
                return value.get();
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return fail("timed out after " + timeout + " waiting for " + what);
    }
}
