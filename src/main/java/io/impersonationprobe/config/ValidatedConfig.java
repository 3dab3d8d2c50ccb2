package io.impersonationprobe.config;

import io.impersonationprobe.target.Shard;
import io.impersonationprobe.target.TargetGroup;
import microsoft.exchange.webservices.data.core.enumeration.property.WellKnownFolderName;

import java.util.List;
import java.util.Map;

/**
 * The configuration after every startup check: the only form the rest of the daemon reads.
 *
 * @param apiKeys the on-demand API's keys, from properties and the keys file
 * @param shard   this replica's share; the groups hold only its targets once {@link #ownShare()} has been applied
 * @param perMailboxLimit targets of this replica up to which {@code auto} groups publish series per mailbox
 * @param folder  the well-known folder whose ID the EWS probe reads
 * @param configuredGroups every group with all its targets, whichever replica probes them: a live check is stateless
 *                and runs on any replica for any configured target
 * @param peers   the other replicas, asked for their targets so that the read API shows the whole estate
 */
public record ValidatedConfig(Map<String, ResolvedTenant> tenants, List<TargetGroup> groups, List<ApiKey> apiKeys,
                              Shard shard, int perMailboxLimit, WellKnownFolderName folder,
                              List<TargetGroup> configuredGroups, Peers peers) {

    /** A configuration not yet cut to a share: the groups are all that is configured. */
    public ValidatedConfig(Map<String, ResolvedTenant> tenants, List<TargetGroup> groups, List<ApiKey> apiKeys,
                           Shard shard, int perMailboxLimit, WellKnownFolderName folder) {
        this(tenants, groups, apiKeys, shard, perMailboxLimit, folder, groups, Peers.NONE);
    }

    /**
     * The same configuration with each group cut down to the targets this replica owns. Every group stays, empty or
     * not, so that every replica publishes every group's counts and their sums across replicas are the totals.
     */
    public ValidatedConfig ownShare() {
        List<TargetGroup> owned = groups.stream()
                .map(g -> new TargetGroup(g.name(), g.tenant(), g.expect(), g.interval(),
                        g.targets().stream().filter(shard::owns).toList(), g.probes(), g.perMailboxSeries()))
                .toList();
        return new ValidatedConfig(tenants, owned, apiKeys, shard, perMailboxLimit, folder, configuredGroups, peers);
    }

    /** Whether this replica polls the tenant's control plane (the tenant-wide state is published once). */
    public boolean pollsControlPlane(ResolvedTenant tenant) {
        return tenant.pollsControlPlane() && shard.ownsTenant(tenant.id());
    }

    /**
     * Whether a group publishes series per mailbox: as configured, or for {@code auto} while this replica's targets
     * are within the limit, so that a large estate does not flood Prometheus.
     */
    public boolean perMailboxSeries(TargetGroup group) {
        return switch (group.perMailboxSeries()) {
            case TRUE -> true;
            case FALSE -> false;
            case AUTO -> targetCount() <= perMailboxLimit;
        };
    }

    /** Targets over all groups. */
    public int targetCount() {
        return groups.stream().mapToInt(g -> g.targets().size()).sum();
    }
}
