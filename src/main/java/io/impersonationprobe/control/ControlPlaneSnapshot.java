package io.impersonationprobe.control;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One tenant's control plane as the state directory keeps it, so that a restart loses nothing and can tell what
 * changed while the daemon was down.
 *
 * @param organization  the organisation's EWS settings as last read, or null
 * @param access        the role assignments and scopes as last read, or null
 * @param accessReadAt  when {@code access} was read: changes found after a restart happened after it
 * @param events        recent events, newest first
 * @param configured    what was configured for the targets, by target id
 * @param pending       what propagation waits for
 */
public record ControlPlaneSnapshot(OrganizationState organization, AccessConfiguration access, Instant accessReadAt,
                                   List<ControlPlaneEvent> events, Map<String, ConfiguredAccess> configured,
                                   PropagationTracker.Pending pending) {
}
