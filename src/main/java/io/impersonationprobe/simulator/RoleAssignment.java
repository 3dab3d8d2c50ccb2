package io.impersonationprobe.simulator;

import java.time.Duration;
import java.time.Instant;

/**
 * A management role assignment. {@code assignee} is an app ID for RBAC for Applications or a service account name
 * for ApplicationImpersonation; {@code scope} null means the whole organisation; {@code removedAt} is set once the
 * assignment was removed. {@code effectiveAt} and {@code ineffectiveAt} fix, with the propagation delay of the
 * moment, when the grant starts and stops counting, as each cache entry in Exchange has its own lifetime.
 */
public record RoleAssignment(String name, String role, String assignee, String scope, Instant createdAt,
                             Instant removedAt, Instant effectiveAt, Instant ineffectiveAt) {
    /** Whether Exchange's cache counts this grant at {@code now}: after it took effect and before its revocation did. */
    boolean grantsAt(Instant now) {
        return !effectiveAt.isAfter(now) && (ineffectiveAt == null || ineffectiveAt.isAfter(now));
    }

    /** The same assignment, removed at {@code at}: it stops granting once {@code delay} has passed. */
    RoleAssignment removed(Instant at, Duration delay) {
        return new RoleAssignment(name, role, assignee, scope, createdAt, at, effectiveAt, at.plus(delay));
    }
}
