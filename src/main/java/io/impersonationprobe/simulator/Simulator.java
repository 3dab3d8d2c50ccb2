package io.impersonationprobe.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import org.jboss.logging.Logger;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The simulated Exchange Online tenant on listeners of its own, so that a client reaches it over real HTTP exactly
 * as it reaches Exchange: EWS ({@value #EWS_PATH}), the Entra ID token endpoint with OIDC discovery and keys, the
 * Exchange Online admin API, Microsoft Graph's mail folders, and the control API under {@code /control/}. Beside it
 * an on-premises tenant ({@link OnPremisesDemo}): its Active Directory on an LDAP listener and its EWS over NTLM. Plain Java
 * with a Vert.x of its own: the daemon's launcher, the tests and the benchmark all start it with
 * {@link #start(SimulatorOptions)} and stop it with {@link #close()}.
 */
public final class Simulator implements AutoCloseable {
    static final String EWS_PATH = "/EWS/Exchange.asmx";
    private static final Logger LOG = Logger.getLogger(Simulator.class);
    private static final int MAX_BODY_BYTES = 1 << 20;
    /** EWS requests are parsed on worker threads: enough for Exchange's 27 in flight per principal, several over. */
    private static final int WORKER_THREADS = 64;
    private static final long LISTEN_TIMEOUT_SECONDS = 30;

    private final Vertx vertx;
    private final SimulatedTenant tenant;
    private final EwsEndpoint ews;
    private final OnPremisesDirectory onPremises;
    private final OnPremisesEwsEndpoint onPremisesEws;
    private final String host;
    private HttpServer http;
    private HttpServer https;

    private Simulator(Vertx vertx, SimulatedTenant tenant, EwsEndpoint ews, OnPremisesDirectory onPremises,
                      OnPremisesEwsEndpoint onPremisesEws, String host) {
        this.vertx = vertx;
        this.tenant = tenant;
        this.ews = ews;
        this.onPremises = onPremises;
        this.onPremisesEws = onPremisesEws;
        this.host = host;
    }

    /**
     * Starts the demo tenant ({@link DemoTenant}) and its listeners; returns once they accept connections.
     *
     * @throws IllegalStateException when a listener cannot be opened (for example, its port is taken)
     */
    public static Simulator start(SimulatorOptions options) {
        ObjectMapper json = JsonMapper.builder().findAndAddModules()
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
        SimulatedTenant tenant = new SimulatedTenant(options.delays());
        TokenIssuer tokens = new TokenIssuer(json);
        EwsSchema schema = loadSchema(options.schemaDir().orElse(null));
        EwsEndpoint ews = new EwsEndpoint(tenant, tokens, schema);
        OnPremisesDirectory onPremises = OnPremisesDirectory.start(options.host(), options.ldapPort(), tenant.clock(),
                options.onPremisesCacheDelay());
        Vertx vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(WORKER_THREADS));
        Simulator simulator = new Simulator(vertx, tenant, ews, onPremises, new OnPremisesEwsEndpoint(onPremises, schema),
                options.host());
        try {
            Router router = Router.router(vertx);
            simulator.routes(router, options, tokens, json);
            simulator.http = simulator.listen(router, new HttpServerOptions().setHost(options.host())
                    .setPort(options.port()));
            if (options.keyStore().isPresent()) {
                simulator.https = simulator.listen(router, new HttpServerOptions().setHost(options.host())
                        .setPort(options.tlsPort()).setSsl(true).setKeyCertOptions(new PfxOptions()
                                .setPath(options.keyStore().get().toString()).setPassword(options.keyStorePassword())));
            }
            return simulator;
        } catch (RuntimeException e) {
            simulator.close();
            throw e;
        }
    }

    private void routes(Router router, SimulatorOptions options, TokenIssuer tokens, ObjectMapper json) {
        router.route().handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES).setHandleFileUploads(false));
        options.ewsObserver().ifPresent(observer -> router.post(EWS_PATH).handler(ctx -> {
            // First in line, so it sees every EWS request arrive and its answer leave.
            observer.arrived();
            ctx.addEndHandler(ended -> observer.answered());
            ctx.next();
        }));
        router.post(EWS_PATH).blockingHandler(ews::handle, false);
        TokenEndpoint tokenEndpoint = new TokenEndpoint(tenant, tokens, json, options.tokenLifetime());
        router.post("/:tenant/oauth2/v2.0/token").blockingHandler(tokenEndpoint::handle, false);
        router.get("/:tenant/v2.0/.well-known/openid-configuration").handler(tokenEndpoint::discovery);
        router.get("/:tenant/discovery/v2.0/keys").handler(tokenEndpoint::keys);
        router.post("/adminapi/beta/:tenant/InvokeCommand").handler(new AdminApiEndpoint(tenant, tokens, json)::handle);
        router.get("/v1.0/users/:id/mailFolders/:folder").handler(new GraphEndpoint(tenant, tokens, json)::handle);
        new ControlApi(tenant, ews, this::reset, json).routes(router);
        router.post(OnPremisesDemo.EWS_PATH).blockingHandler(onPremisesEws::handle, false);
        new OnPremisesControlApi(onPremises, onPremisesEws, json).routes(router);
    }

    private HttpServer listen(Router router, HttpServerOptions options) {
        HttpServer server = vertx.createHttpServer(options)
                .connectionHandler(connection -> tenant.stats().countConnection())
                .requestHandler(router);
        try {
            return server.listen().toCompletionStage().toCompletableFuture().get(LISTEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the simulator cannot listen on " + options.getHost() + ":"
                    + options.getPort() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the simulator's listener on " + options.getHost() + ":"
                    + options.getPort() + " did not open within " + LISTEN_TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening the simulator's listener", e);
        }
    }

    /** The schema every EWS request is validated against, or null (with a warning) when there is none to load. */
    private static EwsSchema loadSchema(Path dir) {
        if (dir == null) {
            return null;
        }
        if (!Files.isDirectory(dir)) {
            LOG.warnf("EWS schema folder %s not found: requests are not validated against the schema", dir);
            return null;
        }
        try {
            EwsSchema schema = EwsSchema.load(dir);
            LOG.infof("Validating every EWS request against the schema in %s", dir);
            return schema;
        } catch (Exception e) {
            LOG.warnf("EWS schema in %s could not be loaded (%s): requests are not validated", dir, e.getMessage());
            return null;
        }
    }

    /** The plain HTTP listener's port. */
    public int port() {
        return http.actualPort();
    }

    /** The HTTPS listener's port, when one was asked for. */
    public OptionalInt tlsPort() {
        return https == null ? OptionalInt.empty() : OptionalInt.of(https.actualPort());
    }

    /** The on-premises tenant's LDAP listener's port. */
    public int ldapPort() {
        return onPremises.port();
    }

    /** The on-premises tenant's directory, for changes and reads without going through the control API. */
    public OnPremisesDirectory onPremises() {
        return onPremises;
    }

    /** {@code http://host:port}, the base of every endpoint. */
    public String baseUrl() {
        return "http://" + host + ":" + port();
    }

    /** The model behind every answer, for changes and reads without going through the control API. */
    public SimulatedTenant tenant() {
        return tenant;
    }

    /**
     * Back to the demo tenant as it started: its content (timestamps included), no faults, real time, counters at
     * zero, no request log, no NTLM-authenticated connection. Tokens already issued stay valid. The same as
     * {@code POST /control/reset}.
     */
    public void reset() {
        tenant.reset();
        ews.reset();
        onPremises.reset();
        onPremisesEws.reset();
    }

    /** Closes the listeners and the simulator's Vert.x. */
    @Override
    public void close() {
        onPremises.close();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warnf("The simulator did not stop cleanly: %s", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
