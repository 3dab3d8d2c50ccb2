package io.impersonationprobe.control;

import io.impersonationprobe.target.Target;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where one tenant's control plane is read from: Exchange Online's admin API today, on-premises Active Directory
 * beside it. The poller, the propagation tracker, events and metrics work the same over any source. Every method may
 * block on I/O and fails with a classified {@link ControlPlaneException}.
 */
public interface ControlPlaneSource {

    /** The organisation's EWS settings, or empty where the source has none (on-premises Exchange). */
    Optional<OrganizationState> organization() throws ControlPlaneException;

    /** The role assignments that grant mailbox access, with the scopes they use. */
    AccessConfiguration access() throws ControlPlaneException;

    /**
     * What is configured for some of these targets now, by target id; a source that must ask per mailbox takes a
     * sample per poll and rotates through the targets.
     */
    Map<String, ConfiguredAccess> configured(List<Target> targets) throws ControlPlaneException;

    /** What is configured for one mailbox now, for a live check. */
    ConfiguredAccess configuredNow(String mailbox) throws ControlPlaneException;

    /** The mailbox's own EwsEnabled (Get-CASMailbox), or empty where the source has none. */
    default Optional<EwsEnabled> mailboxEwsEnabled(String mailbox) throws ControlPlaneException {
        return Optional.empty();
    }

    /** The answer properties read as unknown since the last call, as {@code Cmdlet.Property}. */
    default List<String> takeUnreadable() {
        return List.of();
    }

    /**
     * The probing identity's grants in {@code now} that did not grant in {@code before}, with {@code whenCreated}
     * the time the change was made: the first probe they open measures the tenant's propagation time.
     */
    List<RoleAssignmentInfo> grantsGained(AccessConfiguration before, AccessConfiguration now);

    /** Whether {@link #organization()} reads anything (on-premises Exchange has no organisation-wide EWS gate). */
    default boolean readsOrganization() {
        return true;
    }
}
