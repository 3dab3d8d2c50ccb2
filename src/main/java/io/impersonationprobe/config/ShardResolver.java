package io.impersonationprobe.config;

import io.impersonationprobe.Printable;
import io.impersonationprobe.target.Shard;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * This replica's share of the targets: {@code replica-index} when it is set, otherwise the ordinal at the end of the
 * host name, which a Kubernetes StatefulSet gives each pod ({@code impersonation-probe-2}).
 */
final class ShardResolver {
    private static final String INDEX = "impersonation.sharding.replica-index";

    private ShardResolver() {
    }

    /**
     * @param hostname the host name ({@code HOSTNAME}), or null when it is not set
     * @return the shard, or empty with a problem when the index is out of range or cannot be known
     */
    static Optional<Shard> resolve(ProbeConfig.Sharding sharding, String hostname, Problems problems) {
        int replicas = sharding.replicas();
        if (sharding.replicaIndex().isPresent()) {
            int index = sharding.replicaIndex().get();
            if (index < 0 || index >= replicas) {
                problems.add(INDEX, "is " + index + "; with " + replicas + " replica(s) it must be between 0 and "
                        + (replicas - 1));
                return Optional.empty();
            }
            return Optional.of(new Shard(replicas, index));
        }
        if (replicas == 1) {
            return Optional.of(Shard.SINGLE);
        }
        OptionalInt ordinal = Shard.ordinal(hostname);
        if (ordinal.isEmpty()) {
            problems.add(INDEX, "is required with " + replicas + " replicas: " + (hostname == null
                    ? "HOSTNAME is not set" : "the host name '" + Printable.of(hostname, 80)
                    + "' does not end in -<n> as a StatefulSet pod's does") + "; set this replica's index, 0 to "
                    + (replicas - 1));
            return Optional.empty();
        }
        if (ordinal.getAsInt() >= replicas) {
            problems.add(INDEX, "is not set, and the host name '" + Printable.of(hostname, 80) + "' gives index "
                    + ordinal.getAsInt() + ", but impersonation.sharding.replicas is " + replicas + "; it must be "
                    + "between 0 and " + (replicas - 1) + " (does the StatefulSet have more pods?)");
            return Optional.empty();
        }
        return Optional.of(new Shard(replicas, ordinal.getAsInt()));
    }
}
