package io.impersonationprobe.control;

import io.impersonationprobe.control.ConfiguredAccess.Decision;
import io.impersonationprobe.control.ControlPlaneException.Failure;
import io.impersonationprobe.target.Target;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Exchange Online's control plane through its admin API: Get-OrganizationConfig, the role assignments, scopes and
 * service principals, Get-CASMailbox for a live check, and
 * Test-ServicePrincipalAuthorization for a rotating sample of the targets (one admin API call per mailbox).
 */
final class ExchangeOnlineSource implements ControlPlaneSource {
    private static final Logger LOG = Logger.getLogger(ExchangeOnlineSource.class);
    private final AdminApiClient client;
    private final int sample;
    private final Clock clock;
    private final String appId;
    private int cursor;

    ExchangeOnlineSource(AdminApiClient client, int sample, Clock clock, String appId) {
        this.client = client;
        this.sample = sample;
        this.clock = clock;
        this.appId = appId;
    }

    @Override
    public Optional<OrganizationState> organization() throws ControlPlaneException {
        return Optional.of(client.organizationConfig());
    }

    @Override
    public AccessConfiguration access() throws ControlPlaneException {
        List<RoleAssignmentInfo> assignments = client.roleAssignments();
        Map<String, String> scopes = client.managementScopes();
        List<ServicePrincipalInfo> principals;
        try {
            principals = client.servicePrincipals();
        } catch (ControlPlaneException e) {
            // Without the map, assignments are matched on RoleAssignee alone; the poll's other reads still count.
            LOG.warnf("Get-ServicePrincipal failed (%s): role assignments naming a service principal by ObjectId cannot "
                    + "be matched to its app: %s", e.failure().label(), e.getMessage());
            principals = List.of();
        }
        return AccessConfiguration.of(assignments, scopes, principals);
    }

    @Override
    public List<String> takeUnreadable() {
        return client.takeUnreadable();
    }

    @Override
    public Optional<EwsEnabled> mailboxEwsEnabled(String mailbox) throws ControlPlaneException {
        return Optional.of(client.casMailboxEwsEnabled(mailbox));
    }

    /** The next {@code sample} targets in rotation; a mailbox Exchange does not know is {@link Decision#UNKNOWN}. */
    @Override
    public synchronized Map<String, ConfiguredAccess> configured(List<Target> targets) throws ControlPlaneException {
        Map<String, ConfiguredAccess> checked = new HashMap<>();
        if (targets.isEmpty()) {
            return checked;
        }
        int count = Math.min(sample, targets.size());
        for (int i = 0; i < count; i++) {
            Target target = targets.get((cursor + i) % targets.size());
            try {
                checked.put(target.id(), client.testAuthorization(target.mailbox()));
            } catch (ControlPlaneException e) {
                if (e.failure() != Failure.OBJECT_NOT_FOUND) {
                    throw e;
                }
                // No such mailbox: its probe says MAILBOX_NOT_FOUND; nothing is configured for it.
                checked.put(target.id(), new ConfiguredAccess(Decision.UNKNOWN, List.of(), List.of(), clock.instant()));
            }
        }
        cursor = (cursor + count) % targets.size();
        return checked;
    }

    @Override
    public ConfiguredAccess configuredNow(String mailbox) throws ControlPlaneException {
        return client.testAuthorization(mailbox);
    }

    /**
     * New assignments of the EWS role to this daemon's app, matched through its service principal (RoleAssignee is
     * its ObjectId); their WhenCreated starts the clock.
     */
    @Override
    public List<RoleAssignmentInfo> grantsGained(AccessConfiguration before, AccessConfiguration now) {
        return now.assignments().values().stream()
                .filter(a -> !before.assignments().containsKey(a.name())
                        && a.role().equalsIgnoreCase(ControlPlanePoller.EWS_APP_ROLE) && now.grantsTo(a, appId))
                .toList();
    }
}
