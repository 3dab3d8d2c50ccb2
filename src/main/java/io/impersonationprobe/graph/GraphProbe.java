package io.impersonationprobe.graph;

import io.impersonationprobe.Printable;
import io.impersonationprobe.auth.AccessToken;
import io.impersonationprobe.auth.CredentialRegistry;
import io.impersonationprobe.auth.TokenSource;
import io.impersonationprobe.config.ProbeConfig;
import io.impersonationprobe.config.ResolvedTenant;
import io.impersonationprobe.config.TenantKind;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.probe.Classification;
import io.impersonationprobe.probe.Outcome;
import io.impersonationprobe.probe.Probe;
import io.impersonationprobe.probe.ProbeAttempt;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.Trace;
import io.impersonationprobe.probe.Trace.StepStatus;
import io.impersonationprobe.probe.UserAgent;
import io.impersonationprobe.probe.Verdict;
import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Target;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;

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
    static final String FOLDER = "inbox";
    /** Graph's answer to this request is a few hundred bytes; a bigger one is not Graph's. */
    static final int MAX_BODY_CHARS = 64 * 1024;

    private final Map<String, ResolvedTenant> tenants;
    private final CredentialRegistry credentials;
    private final Duration timeout;
    private final Map<String, GraphApi> clients = new ConcurrentHashMap<>();
    private final Clock clock;

    @Inject
    public GraphProbe(ValidatedConfig config, ProbeConfig probeConfig, CredentialRegistry credentials, Clock clock) {
        this.tenants = config.tenants();
        this.credentials = credentials;
        this.timeout = probeConfig.probe().timeout();
        this.clock = clock;
    }

    @Override
    public ProbeKind kind() {
        return ProbeKind.GRAPH;
    }

    @Override
    public ProbeResult probe(Target target, Instant deadline, Trace trace) {
        ProbeAttempt attempt = new ProbeAttempt(ProbeKind.GRAPH, TenantKind.EXCHANGE_ONLINE, target, deadline, trace,
                clock);
        ResolvedTenant tenant = tenants.get(target.tenant());
        TokenSource tokens = credentials.graphTokens(target.tenant()).orElse(null);
        if (tenant == null || tokens == null) {
            return attempt.finish(Classification.of(Outcome.UNKNOWN_ERROR, "tenant " + target.tenant()
                    + " is not an Exchange Online tenant: Graph cannot reach its mailboxes"));
        }
        try {
            AccessToken token = attempt.token(credentials.ews(target.tenant()).kind(), tenant.config().graph().scope(),
                    until -> tokens.token());
            long remaining = attempt.remainingMillis();
            URI base = tenant.config().graph().url();
            String clientRequestId = UUID.randomUUID().toString();
            trace.step("graph-request", StepStatus.OK, Duration.ZERO, Trace.detail(
                    "url", base.toString().replaceAll("/+$", "") + "/v1.0/users/" + target.mailbox() + "/mailFolders/"
                            + FOLDER + "?$select=id",
                    "operation", "GET mailFolders/" + FOLDER + " ($select=id)",
                    "clientRequestId", clientRequestId,
                    "userAgent", UserAgent.PRODUCT,
                    "timeoutMillis", remaining));
            Instant sent = clock.instant();
            Classification c;
            GraphAnswer answer = null;
            CompletableFuture<Response> call = client(tenant).mailFolder(target.mailbox(), FOLDER, "id",
                    "Bearer " + token.value(), clientRequestId, "true", UserAgent.PRODUCT).toCompletableFuture();
            try (Response response = call.get(remaining, TimeUnit.MILLISECONDS)) {
                answer = answer(response);
                c = GraphClassifier.classify(answer);
            } catch (TimeoutException e) {
                call.cancel(true);
                c = Classification.of(Outcome.TIMEOUT, "no complete answer before the deadline");
            } catch (ExecutionException e) {
                c = GraphClassifier.fromFailure(e.getCause() == null ? e : e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                call.cancel(true);
                c = Classification.of(Outcome.TIMEOUT, "interrupted");
            }
            if (c.httpStatus() == 401) {
                tokens.rejected();
            }
            trace.step("graph-response", c.outcome().verdict() == Verdict.ERROR ? StepStatus.FAILED : StepStatus.OK,
                    Duration.between(sent, clock.instant()), Trace.detail(
                            "httpStatus", c.httpStatus() == 0 ? null : c.httpStatus(),
                            "errorCode", c.responseCode(),
                            "requestId", answer == null ? null : answer.requestId(),
                            "clientRequestId", answer == null ? null : answer.clientRequestId(),
                            "date", answer == null ? null : answer.date(),
                            "retryAfterSeconds", c.backOff() == null ? null : c.backOff().toSeconds(),
                            "detail", Printable.of(c.detail(), 500)));
            return attempt.finish(c);
        } catch (ProbeAttempt.Stop stop) {
            return attempt.finish(stop.classification());
        } catch (RuntimeException e) {
            return attempt.unexpected(e);
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

}
