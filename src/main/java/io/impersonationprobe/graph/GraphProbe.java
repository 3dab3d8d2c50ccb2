package io.impersonationprobe.graph;

import io.impersonationprobe.Printable;
import io.impersonationprobe.auth.AadstsAdvice;
import io.impersonationprobe.auth.AccessToken;
import io.impersonationprobe.auth.CredentialRegistry;
import io.impersonationprobe.auth.TokenException;
import io.impersonationprobe.auth.TokenSource;
import io.impersonationprobe.config.ProbeConfig;
import io.impersonationprobe.config.ResolvedTenant;
import io.impersonationprobe.config.TenantKind;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.probe.Outcome;
import io.impersonationprobe.probe.Probe;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.Trace;
import io.impersonationprobe.probe.Trace.StepStatus;
import io.impersonationprobe.probe.Verdict;
import io.impersonationprobe.target.Target;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Proves app-only Microsoft Graph access to one Exchange Online mailbox, the successor path to EWS:
 * {@code GET /v1.0/users/{mailbox}/mailFolders/inbox?$select=id} with a token for {@code https://graph.microsoft.com}.
 * It reads a folder ID and never mail; the least RBAC for Applications role that allows it is
 * "Application Mail.ReadBasic".
 */
@ApplicationScoped
public class GraphProbe implements Probe {
    public static final String KIND = "graph";
    static final String FOLDER = "inbox";
    static final String USER_AGENT = "impersonation-probe";
    /** Graph's answer to this request is a few hundred bytes; a bigger one is not Graph's. */
    static final int MAX_BODY_CHARS = 64 * 1024;
    private static final Logger LOG = Logger.getLogger(GraphProbe.class);

    private final Map<String, ResolvedTenant> tenants;
    private final CredentialRegistry credentials;
    private final Duration timeout;
    private final Map<String, GraphApi> clients = new ConcurrentHashMap<>();
    private final Clock clock = Clock.systemUTC();

    @Inject
    public GraphProbe(ValidatedConfig config, ProbeConfig probeConfig, CredentialRegistry credentials) {
        this.tenants = config.tenants();
        this.credentials = credentials;
        this.timeout = probeConfig.probe().timeout();
    }

    @Override
    public String kind() {
        return KIND;
    }

    /** Whether the tenant can be probed over Graph: Exchange Online, with app credentials. */
    public boolean supports(String tenant) {
        ResolvedTenant resolved = tenants.get(tenant);
        return resolved != null && resolved.kind() == TenantKind.EXCHANGE_ONLINE
                && credentials.graphTokens(tenant).isPresent();
    }

    @Override
    public ProbeResult probe(Target target, Instant deadline, Trace trace) {
        Instant startedAt = clock.instant();
        ResolvedTenant tenant = tenants.get(target.tenant());
        TokenSource tokens = credentials.graphTokens(target.tenant()).orElse(null);
        if (tenant == null || tokens == null) {
            return result(target, startedAt, new GraphClassifier.Classification(Outcome.UNKNOWN_ERROR, null, 0,
                    "tenant " + target.tenant() + " is not an Exchange Online tenant: Graph cannot reach its mailboxes",
                    null), null);
        }
        try {
            Instant tokenStarted = clock.instant();
            AccessToken token;
            try {
                token = tokens.token();
                trace.step("token", StepStatus.OK, Duration.between(tokenStarted, clock.instant()), Trace.detail(
                        "credential", credentials.ews(target.tenant()).kind(),
                        "resource", tenant.config().graph().scope(),
                        "source", token.fromCache() ? "cache" : "network",
                        "expiresAt", token.expiresAt().toString()));
            } catch (TokenException e) {
                int code = AadstsAdvice.code(e.getMessage());
                trace.step("token", StepStatus.FAILED, Duration.between(tokenStarted, clock.instant()), Trace.detail(
                        "credential", credentials.ews(target.tenant()).kind(),
                        "resource", tenant.config().graph().scope(),
                        "errorCode", code == 0 ? null : "AADSTS" + code,
                        "error", Printable.of(e.getMessage(), 500)));
                return result(target, startedAt, new GraphClassifier.Classification(Outcome.TOKEN_FAILED, null, 0,
                        e.getMessage(), null), AadstsAdvice.forMessage(e.getMessage()));
            }
            long remaining = Duration.between(clock.instant(), deadline).toMillis();
            if (remaining <= 0) {
                return result(target, startedAt, new GraphClassifier.Classification(Outcome.TIMEOUT, null, 0,
                        "the deadline passed while getting a token", null), null);
            }
            URI base = tenant.config().graph().url();
            String clientRequestId = UUID.randomUUID().toString();
            trace.step("graph-request", StepStatus.OK, Duration.ZERO, Trace.detail(
                    "url", base.toString().replaceAll("/+$", "") + "/v1.0/users/" + target.mailbox() + "/mailFolders/"
                            + FOLDER + "?$select=id",
                    "operation", "GET mailFolders/" + FOLDER + " ($select=id)",
                    "clientRequestId", clientRequestId,
                    "userAgent", USER_AGENT,
                    "timeoutMillis", remaining));
            Instant sent = clock.instant();
            GraphClassifier.Classification c;
            GraphAnswer answer = null;
            CompletableFuture<Response> call = client(tenant).mailFolder(target.mailbox(), FOLDER, "id",
                    "Bearer " + token.value(), clientRequestId, "true", USER_AGENT).toCompletableFuture();
            try (Response response = call.get(remaining, TimeUnit.MILLISECONDS)) {
                answer = answer(response);
                c = GraphClassifier.classify(answer);
            } catch (TimeoutException e) {
                call.cancel(true);
                c = new GraphClassifier.Classification(Outcome.TIMEOUT, null, 0, "no complete answer before the deadline",
                        null);
            } catch (ExecutionException e) {
                c = GraphClassifier.fromFailure(e.getCause() == null ? e : e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                call.cancel(true);
                c = new GraphClassifier.Classification(Outcome.TIMEOUT, null, 0, "interrupted", null);
            }
            if (c.httpStatus() == 401) {
                tokens.rejected();
            }
            trace.step("graph-response", c.outcome().verdict() == Verdict.ERROR ? StepStatus.FAILED : StepStatus.OK,
                    Duration.between(sent, clock.instant()), Trace.detail(
                            "httpStatus", c.httpStatus() == 0 ? null : c.httpStatus(),
                            "errorCode", c.errorCode(),
                            "requestId", answer == null ? null : answer.requestId(),
                            "clientRequestId", answer == null ? null : answer.clientRequestId(),
                            "date", answer == null ? null : answer.date(),
                            "retryAfterSeconds", c.backOff() == null ? null : c.backOff().toSeconds(),
                            "detail", Printable.of(c.detail(), 500)));
            return result(target, startedAt, c, null);
        } catch (RuntimeException e) {
            // A client failure must not stop the scheduler; it is an error, never an OK.
            LOG.warnf(e, "Graph probe of %s failed unexpectedly", target.id());
            return result(target, startedAt, new GraphClassifier.Classification(Outcome.UNKNOWN_ERROR, null, 0,
                    e.getClass().getSimpleName(), null), null);
        }
    }

    private static GraphAnswer answer(Response response) {
        String body = response.hasEntity() ? response.readEntity(String.class) : "";
        if (body.length() > MAX_BODY_CHARS) {
            body = body.substring(0, MAX_BODY_CHARS);
        }
        return new GraphAnswer(response.getStatus(), response.getHeaderString("Content-Type"), body,
                response.getHeaderString("request-id"), response.getHeaderString("client-request-id"),
                response.getHeaderString("Date"), response.getHeaderString("Retry-After"));
    }

    private GraphApi client(ResolvedTenant tenant) {
        return clients.computeIfAbsent(tenant.id(), id -> {
            QuarkusRestClientBuilder builder = QuarkusRestClientBuilder.newBuilder();
            // Like EWS, token and admin API requests, Graph goes through the JVM's proxy when one is set.
            String proxyHost = System.getProperty("https.proxyHost");
            if (proxyHost != null && !proxyHost.isBlank()) {
                builder.proxyAddress(proxyHost, Integer.getInteger("https.proxyPort", 443));
            }
            return builder.baseUri(tenant.config().graph().url())
                    .connectTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .readTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    // Statuses are classified here, not turned into exceptions by the client.
                    .disableDefaultMapper(true)
                    .build(GraphApi.class);
        });
    }

    private ProbeResult result(Target target, Instant startedAt, GraphClassifier.Classification c, String advice) {
        Outcome outcome = c.outcome().forExpectation(target.expect());
        String remediation = outcome.remediation(TenantKind.EXCHANGE_ONLINE, KIND);
        return new ProbeResult(target, KIND, outcome, c.errorCode(), c.httpStatus(), startedAt,
                Duration.between(startedAt, clock.instant()), Printable.of(c.detail(), 1000),
                advice == null ? remediation : advice + " " + remediation, c.backOff());
    }
}
