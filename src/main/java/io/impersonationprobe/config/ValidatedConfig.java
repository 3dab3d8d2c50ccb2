package io.impersonationprobe.config;

import io.impersonationprobe.target.Shard;
import io.impersonationprobe.target.TargetGroup;

import java.util.List;
import java.util.Map;

/**
 * The configuration after every startup check: the only form the rest of the daemon reads.
 *
 * @param apiKeys the on-demand API's keys, from properties and the keys file
 * @param shard   this replica's share; the groups hold only its targets once {@link #ownShare()} has been applied
 */
public record ValidatedConfig(Map<String, ResolvedTenant> tenants, List<TargetGroup> groups, List<ApiKey> apiKeys,
                              Shard shard) {

    /**
     * The same configuration with each group cut down to the targets this replica owns. Every group stays, empty or
     * not, so that every replica publishes every group's counts and their sums across replicas are the totals.
     */
    public ValidatedConfig ownShare() {
        List<TargetGroup> owned = groups.stream()
                .map(g -> new TargetGroup(g.name(), g.tenant(), g.expect(), g.interval(),
                        g.targets().stream().filter(shard::owns).toList(), g.probes()))
                .toList();
        return new ValidatedConfig(tenants, owned, apiKeys, shard);
    }

    /** Whether this replica polls the tenant's control plane (the tenant-wide state is published once). */
    public boolean pollsControlPlane(ResolvedTenant tenant) {
        return tenant.pollsControlPlane() && shard.ownsTenant(tenant.id());
    }

    /** Targets over all groups. */
    public int targetCount() {
        return groups.stream().mapToInt(g -> g.targets().size()).sum();
    }
}
