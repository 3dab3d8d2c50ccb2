package io.impersonationprobe.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/**
 * Starts the simulated tenant on its own HTTP listener, before the first probe, so the daemon reaches it over real
 * HTTP exactly as it reaches Exchange.
 */
@ApplicationScoped
public class SimulatorServer {
    private static final Logger LOG = Logger.getLogger(SimulatorServer.class);
    private static final int MAX_BODY_BYTES = 1 << 20;

    @Inject
    SimulatorConfig config;

    @Inject
    SimulatedTenant tenant;

    @Inject
    Vertx vertx;

    @Inject
    ObjectMapper json;

    private HttpServer server;
    private HttpServer tlsServer;

    void start(@Observes @Priority(1) StartupEvent event) throws Exception {
        if (!config.enabled()) {
            return;
        }
        Router router = Router.router(vertx);
        routes(router, tenant, json, config.tokenLifetime(), loadSchema());
        server = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port()))
                .connectionHandler(connection -> tenant.stats().connectionsAccepted.incrementAndGet())
                .requestHandler(router);
        server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        if (config.tls().keyStore().isPresent()) {
            tlsServer = vertx.createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.tls().port())
                            .setSsl(true).setKeyCertOptions(new PfxOptions().setPath(config.tls().keyStore().get().toString())
                                    .setPassword(config.tls().keyStorePassword().map(p -> p.reveal()).orElse(""))))
                    .connectionHandler(connection -> tenant.stats().connectionsAccepted.incrementAndGet())
                    .requestHandler(router);
            tlsServer.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            LOG.infof("Simulator HTTPS listener on https://%s:%d", config.host(), tlsServer.actualPort());
        }
        String base = "http://" + config.host() + ":" + server.actualPort();
        LOG.infof("Simulated Exchange Online tenant %s on %s: EWS %s/EWS/Exchange.asmx, Graph %s/v1.0, tokens "
                + "%s/%s/oauth2/v2.0/token, control API %s/control/state", tenant.domain(), base, base, base, base,
                tenant.domain(), base);
    }

    /**
     * Adds every endpoint of the simulated tenant to a router: EWS, tokens, the admin API and the control API. Also
     * used to run the simulator outside the application, as the benchmark does.
     *
     * @param schema the EWS schema every request is validated against, or null for none
     */
    static void routes(Router router, SimulatedTenant tenant, ObjectMapper json, java.time.Duration tokenLifetime,
                       EwsSchema schema) {
        TokenIssuer tokens = new TokenIssuer(json);
        EwsEndpoint ews = new EwsEndpoint(tenant, tokens, schema);
        router.route().handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES).setHandleFileUploads(false));
        router.post("/EWS/Exchange.asmx").blockingHandler(ews::handle, false);
        TokenEndpoint tokenEndpoint = new TokenEndpoint(tenant, tokens, json, tokenLifetime);
        router.post("/:tenant/oauth2/v2.0/token").blockingHandler(tokenEndpoint::handle, false);
        router.get("/:tenant/v2.0/.well-known/openid-configuration").handler(tokenEndpoint::discovery);
        router.get("/:tenant/discovery/v2.0/keys").handler(tokenEndpoint::keys);
        router.post("/adminapi/beta/:tenant/InvokeCommand").handler(new AdminApiEndpoint(tenant, tokens, json)::handle);
        router.get("/v1.0/users/:id/mailFolders/:folder").handler(new GraphEndpoint(tenant, tokens, json)::handle);
        new ControlApi(tenant, ews, json).routes(router);
    }

    private EwsSchema loadSchema() {
        if (config.schemaDir().isEmpty()) {
            return null;
        }
        var dir = config.schemaDir().get();
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

    void stop(@Observes ShutdownEvent event) throws Exception {
        for (HttpServer listener : new HttpServer[]{server, tlsServer}) {
            if (listener != null) {
                listener.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
    }
}
