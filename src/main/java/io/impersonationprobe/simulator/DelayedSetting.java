package io.impersonationprobe.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A setting that Exchange Online enforces from a cache: a change is configured (and read back) at once, but enforced
 * only once its delay has passed. Each change keeps the delay of the moment it was made; the latest change whose
 * delay has passed is the one enforced. Not thread-safe: its owner holds the lock.
 */
final class DelayedSetting<T> {
    /** A change still to be enforced. */
    record Change<T>(T value, Instant changedAt, Instant effectiveAt) {
    }

    private T enforced;
    private final List<Change<T>> changes = new ArrayList<>();

    DelayedSetting(T initial) {
        this.enforced = initial;
    }

    void change(T value, Instant at, Duration delay) {
        changes.add(new Change<>(value, at, at.plus(delay)));
    }

    /** The value Exchange enforces at {@code now}. */
    T enforcedAt(Instant now) {
        settle(now);
        return enforced;
    }

    /** The changes not yet enforced at {@code now}, oldest first. */
    List<Change<T>> pendingAt(Instant now) {
        settle(now);
        return List.copyOf(changes);
    }

    /** The last value configured, enforced or not. */
    T configured() {
        return changes.isEmpty() ? enforced : changes.get(changes.size() - 1).value();
    }

    boolean differsFrom(T value) {
        return !Objects.equals(configured(), value);
    }

    /** Enforces the latest change whose delay has passed, and forgets every change made before it. */
    private void settle(Instant now) {
        for (int i = changes.size() - 1; i >= 0; i--) {
            if (!changes.get(i).effectiveAt().isAfter(now)) {
                enforced = changes.get(i).value();
                changes.subList(0, i + 1).clear();
                return;
            }
        }
    }
}
