package io.impersonationprobe.config;

import io.impersonationprobe.Printable;
import io.impersonationprobe.target.Shard;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/**
 * The other replicas' base URLs from {@code impersonation.sharding.peers}: one URL per replica in index order, or one
 * URL with {@code {ordinal}}, which a StatefulSet's headless Service makes a stable name for every pod.
 */
final class PeerResolver {
    private static final String PEERS = "impersonation.sharding.peers";
    private static final String ORDINAL = "{ordinal}";

    private PeerResolver() {
    }

    /** The peers, or {@link Peers#NONE} when none are configured or with a problem when they are wrong. */
    static Peers resolve(ProbeConfig.Sharding sharding, Shard shard, Problems problems) {
        List<String> given = sharding.peers().orElse(List.of()).stream().map(String::strip)
                .filter(s -> !s.isEmpty()).toList();
        if (given.isEmpty()) {
            return Peers.NONE;
        }
        int replicas = sharding.replicas();
        if (replicas == 1) {
            problems.add(PEERS, "is set, but impersonation.sharding.replicas is 1: a single replica has no peers");
            return Peers.NONE;
        }
        boolean template = given.size() == 1 && given.get(0).contains(ORDINAL);
        if (!template && given.size() != replicas) {
            problems.add(PEERS, "lists " + given.size() + " URL(s) for " + replicas + " replicas: give one per "
                    + "replica in index order, or one URL with " + ORDINAL);
            return Peers.NONE;
        }
        int before = problems.count();
        List<Peers.Peer> peers = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            String url = template ? given.get(0).replace(ORDINAL, Integer.toString(i)) : given.get(i);
            URI uri = baseUrl(url, template ? given.get(0) : url, problems);
            if (uri == null && template) {
                break;
            }
            if (uri != null && i != shard.index()) {
                peers.add(new Peers.Peer(i, uri));
            }
        }
        var key = SecretResolver.required("impersonation.sharding.peer-api-key", sharding.peerApiKey(),
                sharding.peerApiKeyFile(), problems);
        if (problems.count() > before) {
            return Peers.NONE;
        }
        return new Peers(List.copyOf(peers), sharding.peerTimeout(), key);
    }

    /** The URL as a base URL, or null with a problem quoting it as configured ({@code shown}). */
    private static URI baseUrl(String url, String shown, Problems problems) {
        try {
            URI uri = new URI(url);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                    || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                problems.add(PEERS, "'" + Printable.of(shown, 120) + "' is not a base URL: use http(s)://host:port "
                        + "with no user, query or fragment");
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            problems.add(PEERS, "'" + Printable.of(shown, 120) + "' is not a URL");
            return null;
        }
    }
}
