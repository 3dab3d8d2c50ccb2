package io.impersonationprobe.simulator;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** What the simulated tenant has served, for tests and the benchmark ({@code GET /control/stats}). */
public final class Stats {
    private final AtomicLong ewsRequests = new AtomicLong();
    private final AtomicLong tokenRequests = new AtomicLong();
    private final AtomicLong connectionsAccepted = new AtomicLong();
    private final AtomicLong serverBusy = new AtomicLong();
    private final AtomicLong ntlmHandshakes = new AtomicLong();
    private final AtomicLong adminRequests = new AtomicLong();
    private final AtomicLong graphRequests = new AtomicLong();
    private final AtomicLong missingAnchorHeader = new AtomicLong();
    private final AtomicLong anchorMismatch = new AtomicLong();

    void countEwsRequest() {
        ewsRequests.incrementAndGet();
    }

    void countTokenRequest() {
        tokenRequests.incrementAndGet();
    }

    void countConnection() {
        connectionsAccepted.incrementAndGet();
    }

    void countServerBusy() {
        serverBusy.incrementAndGet();
    }

    void countNtlmHandshake() {
        ntlmHandshakes.incrementAndGet();
    }

    void countAdminRequest() {
        adminRequests.incrementAndGet();
    }

    void countGraphRequest() {
        graphRequests.incrementAndGet();
    }

    /** Counts an EWS request without {@code X-AnchorMailbox}; returns how many there were so far. */
    long countMissingAnchor() {
        return missingAnchorHeader.incrementAndGet();
    }

    void countAnchorMismatch() {
        anchorMismatch.incrementAndGet();
    }

    public long ewsRequests() {
        return ewsRequests.get();
    }

    public long tokenRequests() {
        return tokenRequests.get();
    }

    public long connectionsAccepted() {
        return connectionsAccepted.get();
    }

    public long serverBusy() {
        return serverBusy.get();
    }

    public long ntlmHandshakes() {
        return ntlmHandshakes.get();
    }

    /** Every counter by its control API name. */
    public Map<String, Long> counters() {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("ewsRequests", ewsRequests.get());
        counters.put("tokenRequests", tokenRequests.get());
        counters.put("connectionsAccepted", connectionsAccepted.get());
        counters.put("missingAnchorHeader", missingAnchorHeader.get());
        counters.put("anchorMismatch", anchorMismatch.get());
        counters.put("serverBusy", serverBusy.get());
        counters.put("ntlmHandshakes", ntlmHandshakes.get());
        counters.put("adminRequests", adminRequests.get());
        counters.put("graphRequests", graphRequests.get());
        return counters;
    }

    void reset() {
        for (AtomicLong counter : new AtomicLong[]{ewsRequests, tokenRequests, connectionsAccepted, serverBusy,
                ntlmHandshakes, adminRequests, graphRequests, missingAnchorHeader, anchorMismatch}) {
            counter.set(0);
        }
    }
}
