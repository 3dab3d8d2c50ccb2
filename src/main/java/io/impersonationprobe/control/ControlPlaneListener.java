package io.impersonationprobe.control;

import java.time.Duration;
import java.util.Locale;

/** Told what the control plane does: the port through which metrics follow it. */
public interface ControlPlaneListener {

    /**
     * One part of a poll ended.
     *
     * @param failure null when it succeeded
     */
    void polled(String tenant, Poll poll, ControlPlaneException.Failure failure, Duration took);

    /** A change in who may act as mailboxes. */
    void changed(ControlPlaneEvent event);

    /** A change of this kind took effect: this long from the change to the first probe that reflected it. */
    void tookEffect(String tenant, PropagationTracker.ChangeKind kind, Duration delay);

    /** A poll's answers held {@code count} properties in a form Exchange does not document, read as unknown. */
    default void unreadable(String tenant, Poll poll, int count) {
    }

    /** The parts of a poll, the {@code poll} label of the metrics. */
    enum Poll {
        ORGANIZATION_CONFIG, ROLE_ASSIGNMENTS, AUTHORIZATION;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
