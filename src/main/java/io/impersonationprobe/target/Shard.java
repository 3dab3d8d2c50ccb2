package io.impersonationprobe.target;

import io.impersonationprobe.Sha256;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * This replica's share of the work when {@code replicas} daemons split one configuration between them. The one place
 * that decides ownership: a target belongs to exactly one replica, chosen from its tenant and mailbox, and each
 * tenant's control plane is polled by exactly one replica, chosen from the tenant id.
 * <p>
 * The choice must be the same in every replica, on every start and in every JVM, or two replicas would probe the
 * same mailbox and none another. So the key is hashed with SHA-256 (fixed by its standard, well spread for keys that
 * differ in one character, and easy to recompute outside Java), and its first 8 bytes go through jump consistent
 * hashing (Lamping and Veach, 2014), which spreads keys evenly and, when the replica count grows from N to N+1, moves
 * only the 1/(N+1) share of targets that the new replica takes over (a plain modulo would move most of them).
 *
 * @param replicas how many replicas share the targets, 1 or more
 * @param index    this replica, 0 to {@code replicas - 1}
 */
public record Shard(int replicas, int index) {
    /** The whole configuration in one daemon. */
    public static final Shard SINGLE = new Shard(1, 0);

    private static final Pattern ORDINAL = Pattern.compile("-(\\d{1,9})$");

    public Shard {
        if (replicas < 1 || index < 0 || index >= replicas) {
            throw new IllegalArgumentException("replica " + index + " of " + replicas);
        }
    }

    /** Whether this replica probes the target. */
    public boolean owns(Target target) {
        return replicaOf(target.tenant() + "/" + target.mailbox(), replicas) == index;
    }

    /** Whether this replica polls the tenant's control plane and publishes its tenant-wide state. */
    public boolean ownsTenant(String tenant) {
        return replicaOf(tenant, replicas) == index;
    }

    /** The replica, 0 to {@code replicas - 1}, that owns a key; the key is compared without regard to case. */
    static int replicaOf(String key, int replicas) {
        return jump(stableHash(key.toLowerCase(Locale.ROOT)), replicas);
    }

    /** The first 8 bytes of the key's SHA-256, as a signed long. */
    static long stableHash(String key) {
        return ByteBuffer.wrap(Sha256.of(key), 0, Long.BYTES).getLong();
    }

    /** Jump consistent hash: the bucket of {@code key} among {@code buckets}, as in the paper's reference code. */
    static int jump(long key, int buckets) {
        long bucket = -1;
        long next = 0;
        while (next < buckets) {
            bucket = next;
            key = key * 2862933555777941757L + 1;
            next = (long) ((bucket + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
        }
        return (int) bucket;
    }

    /**
     * The pod ordinal at the end of a StatefulSet pod's host name ({@code impersonation-probe-2} gives 2), or empty
     * when the name does not end in {@code -<digits>}.
     */
    public static OptionalInt ordinal(String hostname) {
        if (hostname == null) {
            return OptionalInt.empty();
        }
        Matcher matcher = ORDINAL.matcher(hostname.strip());
        return matcher.find() ? OptionalInt.of(Integer.parseInt(matcher.group(1))) : OptionalInt.empty();
    }

    @Override
    public String toString() {
        return "replica " + index + " of " + replicas;
    }
}
