package io.impersonationprobe.config;

import io.impersonationprobe.target.Shard;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The peers a replica asks: from one URL per replica or from a template with {ordinal}; never itself. */
class PeerResolverTest {

    /**
     * The settings as a proxy, not an anonymous class: Quarkus refuses an anonymous class whose methods carry the
     * mapping's constraint annotations, and that would stop every Quarkus test in the build.
     */
    private static ProbeConfig.Sharding sharding(int replicas, List<String> peers) {
        return (ProbeConfig.Sharding) Proxy.newProxyInstance(ProbeConfig.Sharding.class.getClassLoader(),
                new Class<?>[] {ProbeConfig.Sharding.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "replicas" -> replicas;
                    case "replicaIndex", "peerApiKeyFile" -> Optional.empty();
                    case "peers" -> Optional.of(peers);
                    case "peerTimeout" -> Duration.ofSeconds(2);
                    case "peerApiKey" -> Optional.of(Secret.of("peer-key"));
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aTemplateGivesEveryOtherReplicaItsStatefulSetName() {
        Problems problems = new Problems();
        Peers peers = PeerResolver.resolve(sharding(3,
                List.of("http://impersonation-probe-{ordinal}.impersonation-probe-shards:8080")), new Shard(3, 1), problems);
        assertEquals(0, problems.count());
        assertEquals(List.of(new Peers.Peer(0, URI.create("http://impersonation-probe-0.impersonation-probe-shards:8080")),
                new Peers.Peer(2, URI.create("http://impersonation-probe-2.impersonation-probe-shards:8080"))), peers.urls());
        assertEquals("peer-key", peers.apiKey().orElseThrow().reveal());
    }

    @Test
    void aListGivesOneUrlPerReplicaInIndexOrder() {
        Problems problems = new Problems();
        Peers peers = PeerResolver.resolve(sharding(2, List.of("https://a.example:8443", "https://b.example:8443")),
                new Shard(2, 0), problems);
        assertEquals(0, problems.count());
        assertEquals(List.of(new Peers.Peer(1, URI.create("https://b.example:8443"))), peers.urls());
    }

    @Test
    void noPeersMeansEachReplicaShowsItsOwn() {
        Problems problems = new Problems();
        assertSame(Peers.NONE, PeerResolver.resolve(sharding(2, List.of()), new Shard(2, 0), problems));
        assertFalse(Peers.NONE.configured());
        assertEquals(0, problems.count());
    }
}
