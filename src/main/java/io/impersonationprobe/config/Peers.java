package io.impersonationprobe.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The other replicas, which the read API asks for their own targets so that any replica shows the whole estate.
 *
 * @param urls    each other replica's base URL with its index, in index order; empty when no peers are configured
 * @param timeout how long to wait for one peer
 * @param apiKey  the key presented to the peers (role read); present whenever {@code urls} is not empty
 */
public record Peers(List<Peer> urls, Duration timeout, Optional<Secret> apiKey) {
    /** No peers: each replica shows its own targets. */
    public static final Peers NONE = new Peers(List.of(), Duration.ofSeconds(2), Optional.empty());

    /** One other replica: its index (its shard) and its base URL. */
    public record Peer(int index, URI baseUrl) {
    }

    public boolean configured() {
        return !urls.isEmpty();
    }
}
