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
import io.impersonationprobe.http.BoundedHttp;
import io.impersonationprobe.http.HttpAnswer;
import io.impersonationprobe.http.HttpRefusedException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.http.client.methods.HttpGet;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

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
    static final int MAX_BODY_BYTES = 64 * 1024;

    private final Map<String, ResolvedTenant> tenants;
    private final CredentialRegistry credentials;
    private final int liveChecks;
    private final Map<String, BoundedHttp> clients = new ConcurrentHashMap<>();
    private final Clock clock;

    @Inject
    public GraphProbe(ValidatedConfig config, ProbeConfig probeConfig, CredentialRegistry credentials, Clock clock) {
        this.tenants = config.tenants();
        this.credentials = credentials;
        this.liveChecks = probeConfig.api().checks().maxConcurrent();
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
                    tokens::token);
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
            HttpGet request = new HttpGet(folderUri(base, target.mailbox()));
            request.setHeader("Authorization", "Bearer " + token.value());
            request.setHeader("Accept", "application/json");
            request.setHeader("client-request-id", clientRequestId);
            request.setHeader("return-client-request-id", "true");
            request.setHeader("User-Agent", UserAgent.PRODUCT);
            try {
                answer = answer(client(tenant).execute(request, Duration.ofMillis(remaining)));
                c = GraphClassifier.classify(answer);
            } catch (HttpRefusedException e) {
                c = new Classification(Outcome.INVALID_RESPONSE, null, e.status(), e.getMessage(), null, null);
            } catch (IOException e) {
                c = GraphClassifier.fromFailure(e);
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

    /** {@code /v1.0/users/{mailbox}/mailFolders/inbox?$select=id}, the address percent-encoded as a path segment. */
    static URI folderUri(URI base, String mailbox) {
        String segment = URLEncoder.encode(mailbox, StandardCharsets.UTF_8).replace("+", "%20").replace("%40", "@");
        String path = "/v1.0/users/" + segment + "/mailFolders/" + FOLDER;
        return URI.create(base.toString().replaceAll("/+$", "") + path + "?$select=id");
    }

    private static GraphAnswer answer(HttpAnswer response) {
        return new GraphAnswer(response.status(), response.header("Content-Type"), response.text(),
                response.header("request-id"), response.header("client-request-id"),
                response.header("Date"), response.header("Retry-After"));
    }

    private BoundedHttp client(ResolvedTenant tenant) {
        // The JVM's trust (Graph is a public endpoint) and its proxy when one is set, like every other client.
        return clients.computeIfAbsent(tenant.id(), id -> new BoundedHttp(
                tenant.config().concurrency() + liveChecks, MAX_BODY_BYTES));
    }

    @PreDestroy
    void close() {
        clients.values().forEach(client -> {
            try {
                client.close();
            } catch (IOException ignored) {
                // Closing: nothing more will be sent.
            }
        });
    }
}
