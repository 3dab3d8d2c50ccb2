package io.impersonationprobe.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulated tenant (the demo tenant with the same endpoints as in the daemon) on a listener of its own, outside
 * any daemon: the benchmark runs it in its own JVM so that the daemon's process does only the daemon's work. It also
 * keeps the times of the EWS requests it received and answered, which bound a probe cycle as the server sees it.
 */
public final class StandaloneSimulator implements AutoCloseable {
    private final Vertx vertx;
    private final HttpServer server;
    private final SimulatedTenant tenant;
    private final AtomicLong answered = new AtomicLong();
    private volatile long firstArrivalNanos;
    private volatile long lastAnswerNanos;
    private volatile boolean windowOpen;

    private StandaloneSimulator(Vertx vertx, HttpServer server, SimulatedTenant tenant) {
        this.vertx = vertx;
        this.server = server;
        this.tenant = tenant;
    }

    /** Starts the demo tenant on 127.0.0.1:port, with no propagation delay. */
    public static StandaloneSimulator start(int port) throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(64));
        SimulatedTenant tenant = new SimulatedTenant(Duration.ZERO);
        Router router = Router.router(vertx);
        StandaloneSimulator[] self = new StandaloneSimulator[1];
        // First in line, so it sees every EWS request arrive and its answer leave.
        router.post("/EWS/Exchange.asmx").handler(ctx -> {
            self[0].arrived();
            ctx.addEndHandler(ended -> self[0].answeredOne());
            ctx.next();
        });
        SimulatorServer.routes(router, tenant, new ObjectMapper().findAndRegisterModules(), Duration.ofHours(1), null);
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
                .connectionHandler(connection -> tenant.stats().connectionsAccepted.incrementAndGet())
                .requestHandler(router);
        self[0] = new StandaloneSimulator(vertx, server, tenant);
        server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return self[0];
    }

    private void arrived() {
        if (windowOpen) {
            synchronized (this) {
                if (windowOpen) {
                    firstArrivalNanos = System.nanoTime();
                    windowOpen = false;
                }
            }
        }
    }

    private void answeredOne() {
        lastAnswerNanos = System.nanoTime();
        answered.incrementAndGet();
    }

    /** Mailboxes {@code prefix00000@contoso.com} and on, in the Sales department: the demo app's scope covers them. */
    public List<String> addMailboxes(String prefix, int count) {
        List<String> added = new java.util.ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String smtp = String.format("%s%06d@contoso.com", prefix, i);
            tenant.addMailbox(new Mailbox(smtp, "UserMailbox", "Sales", List.of()));
            added.add(smtp);
        }
        return added;
    }

    public void ewsLatency(long millis) {
        SimulatedTenant.Faults f = tenant.faults();
        tenant.setFaults(new SimulatedTenant.Faults(millis, f.serviceUnavailableRetryAfterSeconds(), f.responseCodes(),
                f.rawAnswer(), f.concurrencyBudget(), f.serverBusyBackOffMs(), f.missingAnchorLatencyMs(),
                f.adminRawAnswer(), f.adminLatencyMs(), f.graphLatencyMs(), f.graphThrottledRetryAfterSeconds(),
                f.graphUnavailableRetryAfterSeconds(), f.graphErrors()));
    }

    /** Starts a new window: the next EWS request to arrive marks its start. */
    public synchronized void openWindow() {
        windowOpen = true;
    }

    /** From the first request of the window to the last answer sent. */
    public Duration windowLength() {
        return Duration.ofNanos(lastAnswerNanos - firstArrivalNanos);
    }

    /** EWS answers sent so far. */
    public long answered() {
        return answered.get();
    }

    public long connectionsAccepted() {
        return tenant.stats().connectionsAccepted.get();
    }

    public long tokenRequests() {
        return tenant.stats().tokenRequests.get();
    }

    public long serverBusy() {
        return tenant.stats().serverBusy.get();
    }

    /** The counters of {@code /control/stats}. */
    public Map<String, Object> statistics() {
        return tenant.statistics();
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
