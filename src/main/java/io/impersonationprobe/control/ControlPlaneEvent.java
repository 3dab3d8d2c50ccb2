package io.impersonationprobe.control;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * A change in who may act as mailboxes, or in the EWS gates: logged, counted and kept for the API.
 *
 * @param at           when the daemon saw the change
 * @param subject      what changed: the assignment's or the scope's name, or for {@link Type#PRINCIPAL_GAINED_ACCESS}
 *                     the principal
 * @param description  the change for a person to read
 * @param since        for a change seen only after a restart, the last time the daemon had seen the configuration
 *                     before it: the change happened between {@code since} and {@code at}; null otherwise
 */
public record ControlPlaneEvent(Instant at, String tenant, Type type, String subject, String description,
                                Instant since) {

    public ControlPlaneEvent(Instant at, String tenant, Type type, String subject, String description) {
        this(at, tenant, type, subject, description, null);
    }

    /** The same change, found by comparing with the configuration the daemon saw last before it was stopped. */
    public ControlPlaneEvent seenAfterRestart(Instant lastSeen) {
        return new ControlPlaneEvent(at, tenant, type, subject, description + " (changed while the daemon was down, "
                + "between " + lastSeen.truncatedTo(ChronoUnit.SECONDS) + " and " + at.truncatedTo(ChronoUnit.SECONDS)
                + ")", lastSeen);
    }

    public enum Type {
        ASSIGNMENT_ADDED, ASSIGNMENT_REMOVED, ASSIGNMENT_CHANGED, ASSIGNMENT_ENABLED, ASSIGNMENT_DISABLED,
        ASSIGNMENT_RESCOPED, SCOPE_ADDED, SCOPE_REMOVED, SCOPE_FILTER_CHANGED,
        /**
         * A principal that held no mailbox role before now holds one (a new assignment, or on-premises a membership of
         * a group that holds one): review it.
         */
        PRINCIPAL_GAINED_ACCESS,
        /** The organisation's EwsEnabled changed (about 1 h to take effect). */
        EWS_ENABLED_CHANGED,
        /** EwsAllowedAppIDs changed (up to 24 h to take effect). */
        ALLOW_LIST_CHANGED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public boolean isSecurityRelevant() {
            return this == PRINCIPAL_GAINED_ACCESS;
        }

        /** A change of a scope's reach, which restarts the propagation window of the grants that use it. */
        public boolean changesScope() {
            return this == SCOPE_ADDED || this == SCOPE_FILTER_CHANGED;
        }
    }
}
