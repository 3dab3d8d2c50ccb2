package io.impersonationprobe.target;

import io.impersonationprobe.config.ValidatedConfig;
import microsoft.exchange.webservices.data.core.enumeration.property.WellKnownFolderName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The partition of targets between replicas: the same everywhere, disjoint, complete and even. */
class ShardTest {

    private static List<Target> targets(int count) {
        List<Target> targets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            targets.add(new Target(i % 3 == 0 ? "fabrikam" : "contoso", "group", "user" + i + "@example.com",
                    Expectation.ALLOW));
        }
        return targets;
    }

    @Test
    void theHashIsTheFirstEightBytesOfSha256() {
        // printf 'contoso/alex.wilber@contoso.com' | sha256sum  ->  59b8c4de9d552b3e...
        assertEquals(Long.parseUnsignedLong("59b8c4de9d552b3e", 16), Shard.stableHash("contoso/alex.wilber@contoso.com"));
        assertEquals(Long.parseUnsignedLong("11f0b04eda61baeb", 16), Shard.stableHash("contoso"));
    }

    @Test
    void theAssignmentIsFixedAcrossRunsAndJvms() {
        // Pinned values: a change here moves targets between replicas of a running estate during a rolling update.
        Target alex = new Target("contoso", "sales", "alex.wilber@contoso.com", Expectation.ALLOW);
        Target lynne = new Target("contoso", "sales", "lynne.robbins@contoso.com", Expectation.ALLOW);
        assertTrue(new Shard(2, 0).owns(alex));
        assertTrue(new Shard(2, 1).owns(lynne));
        assertTrue(new Shard(3, 2).owns(lynne));
        assertTrue(new Shard(2, 0).ownsTenant("contoso"));
    }

    @Test
    void caseDoesNotMatterAndTheGroupDoesNot() {
        for (int replicas = 2; replicas <= 5; replicas++) {
            for (Target target : targets(50)) {
                Target shouted = new Target(target.tenant().toUpperCase(), "another-group",
                        target.mailbox().toUpperCase(), Expectation.DENY);
                assertEquals(Shard.replicaOf(target.tenant() + "/" + target.mailbox(), replicas),
                        Shard.replicaOf(shouted.tenant() + "/" + shouted.mailbox(), replicas));
            }
        }
    }

    @Test
    void everyTargetHasExactlyOneOwner() {
        List<Target> targets = targets(500);
        for (int replicas = 1; replicas <= 7; replicas++) {
            int n = replicas;
            for (Target target : targets) {
                long owners = IntStream.range(0, n).filter(i -> new Shard(n, i).owns(target)).count();
                assertEquals(1, owners, target + " among " + n);
            }
            for (String tenant : List.of("contoso", "fabrikam", "corp", "onprem")) {
                assertEquals(1, IntStream.range(0, n).filter(i -> new Shard(n, i).ownsTenant(tenant)).count());
            }
        }
    }

    @Test
    void sharesAreRoughlyEven() {
        List<Target> targets = targets(6000);
        for (int replicas : new int[]{2, 3, 5}) {
            int expected = targets.size() / replicas;
            for (int i = 0; i < replicas; i++) {
                Shard shard = new Shard(replicas, i);
                long owned = targets.stream().filter(shard::owns).count();
                assertTrue(Math.abs(owned - expected) < expected * 0.1,
                        shard + " owns " + owned + ", an even share is " + expected);
            }
        }
    }

    @Test
    void aNewReplicaTakesTargetsOnlyFromTheOthersAndNoneMoveBetweenThem() {
        List<Target> targets = targets(3000);
        for (int replicas = 1; replicas < 6; replicas++) {
            int moved = 0;
            for (Target target : targets) {
                String key = target.tenant() + "/" + target.mailbox();
                int before = Shard.replicaOf(key, replicas);
                int after = Shard.replicaOf(key, replicas + 1);
                if (before != after) {
                    assertEquals(replicas, after, "a moved target goes to the new replica");
                    moved++;
                }
            }
            double share = (double) moved / targets.size();
            assertTrue(Math.abs(share - 1.0 / (replicas + 1)) < 0.05, "moved " + share + " going to " + (replicas + 1));
        }
    }

    @Test
    void theOrdinalIsTheNumberAtTheEndOfTheHostName() {
        assertEquals(OptionalInt.of(0), Shard.ordinal("impersonation-probe-0"));
        assertEquals(OptionalInt.of(12), Shard.ordinal("probe-a-12"));
        assertEquals(OptionalInt.empty(), Shard.ordinal("probe-host"));
        assertEquals(OptionalInt.empty(), Shard.ordinal("probe7"));
        assertEquals(OptionalInt.empty(), Shard.ordinal("probe-99999999999"));
        assertEquals(OptionalInt.empty(), Shard.ordinal(""));
        assertEquals(OptionalInt.empty(), Shard.ordinal(null));
    }

    @Test
    void anIndexOutsideTheReplicasIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Shard(2, 2));
        assertThrows(IllegalArgumentException.class, () -> new Shard(2, -1));
        assertThrows(IllegalArgumentException.class, () -> new Shard(0, 0));
    }

    @Test
    void aReplicaKeepsEveryGroupWithOnlyItsOwnTargets() {
        List<Target> targets = targets(40);
        TargetGroup group = new TargetGroup("group", "contoso", Expectation.ALLOW, Duration.ofMinutes(5), targets,
                List.of(ProbeKind.EWS), PerMailboxSeries.AUTO);
        TargetGroup empty = new TargetGroup("empty", "contoso", Expectation.DENY, Duration.ofMinutes(5), List.of(),
                List.of(ProbeKind.EWS), PerMailboxSeries.AUTO);
        List<Target> union = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ValidatedConfig mine = new ValidatedConfig(Map.of(), List.of(empty, group), List.of(), new Shard(3, i), 500, WellKnownFolderName.Inbox).ownShare();
            assertEquals(List.of("empty", "group"), mine.groups().stream().map(TargetGroup::name).toList());
            Shard shard = mine.shard();
            assertTrue(mine.groups().get(1).targets().stream().allMatch(shard::owns));
            union.addAll(mine.groups().get(1).targets());
        }
        assertEquals(targets.size(), union.size(), "disjoint");
        assertTrue(union.containsAll(targets), "complete");
        assertEquals(targets, new ValidatedConfig(Map.of(), List.of(group), List.of(), Shard.SINGLE, 500,
                WellKnownFolderName.Inbox).ownShare().groups().get(0).targets(),
                "one replica keeps everything");
    }
}
