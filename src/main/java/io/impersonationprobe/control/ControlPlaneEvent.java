package io.impersonationprobe.control;

import java.time.Instant;
import java.util.Locale;

/** A change in who may act as mailboxes: logged, counted and kept for the API. */
public record ControlPlaneEvent(Instant at, String tenant, Type type, String description) {

    public enum Type {
        ASSIGNMENT_ADDED, ASSIGNMENT_REMOVED, ASSIGNMENT_CHANGED, SCOPE_ADDED, SCOPE_REMOVED, SCOPE_FILTER_CHANGED,
        /** A principal that held no mailbox role before now holds one: review it. */
        PRINCIPAL_GAINED_ACCESS;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public boolean isSecurityRelevant() {
            return this == PRINCIPAL_GAINED_ACCESS;
        }
    }
}
