package io.impersonationprobe.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.config.Peers;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.http.BoundedHttp;
import io.impersonationprobe.http.DeadlinePassedException;
import io.impersonationprobe.http.HttpAnswer;
import io.impersonationprobe.http.HttpRefusedException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.client.utils.URIBuilder;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The other replicas' own targets, so that any replica's read API and status page show the whole estate. Each peer
 * is asked in parallel for {@code GET /api/v1/targets?scope=local} (local, so that peers never ask each other in
 * turn), over the bounded client, with the peer key and within the peer timeout; a peer that does not answer in
 * time, refuses or sends something that is not a target page is reported as unreachable with the reason, never
 * left out silently.
 */
@ApplicationScoped
public class PeerTargets {
    private static final Logger LOG = Logger.getLogger(PeerTargets.class);
    /** A peer's page of at most {@link TargetsResource#MAX_PAGE_SIZE} targets, with room to spare. */
    private static final int MAX_PAGE_BYTES = 8 * 1024 * 1024;

    private final Peers peers;
    private final ObjectMapper json;
    private final BoundedHttp http;
    private final ExecutorService pool;

    /**
     * One shard's answer: its first matching targets and how many match in all when it answered, or why it did not.
     */
    public record ShardAnswer(int index, List<Views.TargetView> targets, int total, String unreachable) {
        public boolean answered() {
            return unreachable == null;
        }
    }

    @Inject
    public PeerTargets(ValidatedConfig config, ObjectMapper json) {
        this.peers = config.peers();
        this.json = json;
        int count = Math.max(1, peers.urls().size());
        // A few reads at once each ask every peer; more wait their turn rather than open threads without bound.
        this.http = new BoundedHttp(2 * count, MAX_PAGE_BYTES);
        this.pool = Executors.newFixedThreadPool(4 * count, r -> {
            Thread thread = new Thread(r, "peer-targets");
            thread.setDaemon(true);
            return thread;
        });
    }

    public boolean configured() {
        return peers.configured();
    }

    /**
     * Every peer's own targets that match the filters (the query parameters of {@code GET /api/v1/targets}, null
     * for none), in index order; each peer within the timeout, all at once.
     *
     * @param limit the most targets wanted from one peer (its total is always known): a page of a merged list needs
     *              no more than the page's end, so a large estate is not read whole for one page
     */
    public List<ShardAnswer> fetch(Map<String, String> filters, int limit) {
        List<CompletableFuture<ShardAnswer>> asked = new ArrayList<>();
        for (Peers.Peer peer : peers.urls()) {
            asked.add(CompletableFuture.supplyAsync(() -> ask(peer, filters, limit), pool));
        }
        return asked.stream().map(CompletableFuture::join).toList();
    }

    private ShardAnswer ask(Peers.Peer peer, Map<String, String> filters, int limit) {
        long deadline = System.nanoTime() + peers.timeout().toNanos();
        List<Views.TargetView> targets = new ArrayList<>();
        try {
            for (int page = 1; ; page++) {
                Duration left = Duration.ofNanos(deadline - System.nanoTime());
                if (left.isNegative() || left.isZero()) {
                    throw new DeadlinePassedException("no complete answer within " + peers.timeout().toMillis() + " ms");
                }
                JsonNode answer = page(peer, filters, page, left);
                JsonNode items = answer.path("items");
                JsonNode total = answer.path("total");
                if (!items.isArray() || !total.canConvertToInt()) {
                    return unreachable(peer, "its answer is not a page of targets");
                }
                for (JsonNode item : items) {
                    targets.add(json.treeToValue(item, Views.TargetView.class));
                }
                if (items.isEmpty() || targets.size() >= Math.min(total.asInt(), limit)) {
                    return new ShardAnswer(peer.index(), List.copyOf(targets.subList(0, Math.min(targets.size(),
                            limit))), Math.max(total.asInt(), targets.size()), null);
                }
            }
        } catch (HttpRefusedException | DeadlinePassedException e) {
            return unreachable(peer, e.getMessage());
        } catch (IOException e) {
            return unreachable(peer, BoundedHttp.brokeProtocol(e) ? "its answer is not HTTP within the limits"
                    : "not reached (" + e.getClass().getSimpleName() + ")");
        } catch (RuntimeException e) {
            return unreachable(peer, "its answer could not be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private JsonNode page(Peers.Peer peer, Map<String, String> filters, int page, Duration left) throws IOException {
        HttpGet get = new HttpGet(uri(peer.baseUrl(), filters, page));
        // The key goes only into this header; it is never part of a message, a log line or an answer.
        get.setHeader("Authorization", "Bearer " + peers.apiKey().orElseThrow().reveal());
        get.setHeader("Accept", "application/json");
        HttpAnswer answer = http.execute(get, left);
        if (answer.status() != 200) {
            throw new HttpRefusedException(answer.status(), "HTTP " + answer.status());
        }
        return json.readTree(answer.body());
    }

    private static URI uri(URI base, Map<String, String> filters, int page) {
        try {
            String path = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
            URIBuilder builder = new URIBuilder(base).setPath(path + "/api/v1/targets")
                    .addParameter("scope", TargetsResource.LOCAL);
            new LinkedHashMap<>(filters).forEach((name, value) -> {
                if (value != null) {
                    builder.addParameter(name, value);
                }
            });
            return builder.addParameter("page", Integer.toString(page))
                    .addParameter("size", Integer.toString(TargetsResource.MAX_PAGE_SIZE)).build();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("peer URL " + base, e);
        }
    }

    private static ShardAnswer unreachable(Peers.Peer peer, String reason) {
        LOG.debugf("Replica %d at %s did not give its targets: %s", peer.index(), peer.baseUrl(), reason);
        return new ShardAnswer(peer.index(), List.of(), 0, reason);
    }

    @PreDestroy
    void close() throws IOException {
        pool.shutdownNow();
        http.close();
    }
}
