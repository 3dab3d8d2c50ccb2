package io.impersonationprobe.ews;

import io.impersonationprobe.Printable;
import io.impersonationprobe.auth.EwsCredentials;
import io.impersonationprobe.config.TenantKind;
import io.impersonationprobe.probe.BackoffGate;
import io.impersonationprobe.probe.Classification;
import io.impersonationprobe.probe.Outcome;
import io.impersonationprobe.probe.ProbeAttempt;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.Trace;
import io.impersonationprobe.probe.Trace.StepStatus;
import io.impersonationprobe.probe.UserAgent;
import io.impersonationprobe.probe.Verdict;
import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Target;
import microsoft.exchange.webservices.data.core.PropertySet;
import microsoft.exchange.webservices.data.core.enumeration.misc.ConnectingIdType;
import microsoft.exchange.webservices.data.core.enumeration.property.BasePropertySet;
import microsoft.exchange.webservices.data.core.enumeration.property.WellKnownFolderName;
import microsoft.exchange.webservices.data.core.service.folder.Folder;
import microsoft.exchange.webservices.data.misc.ImpersonatedUserId;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One tenant's EWS endpoint and how its probes reach it: the URL, the shared HTTP client, the credentials, and a
 * pool of reset {@link ProbeExchangeService}s (building one costs more than the request it sends).
 */
final class EwsEndpoint implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EwsEndpoint.class);
    private static final PropertySet ID_ONLY = new PropertySet(BasePropertySet.IdOnly);

    private final TenantKind kind;
    private final URI url;
    private final EwsHttpClient http;
    private final EwsCredentials credentials;
    private final WellKnownFolderName folder;
    private final ScheduledExecutorService watchdogs;
    private final Clock clock;
    private final Queue<ProbeExchangeService> services = new ConcurrentLinkedQueue<>();

    /** @param watchdogs the timer that aborts a request at its probe's deadline */
    EwsEndpoint(TenantKind kind, URI url, EwsHttpClient http, EwsCredentials credentials, WellKnownFolderName folder,
                ScheduledExecutorService watchdogs, Clock clock) {
        this.kind = kind;
        this.url = url;
        this.http = http;
        this.credentials = credentials;
        this.folder = folder;
        this.watchdogs = watchdogs;
        this.clock = clock;
    }

    /** A service of this tenant's pool, as new; at most as many exist as probes ever ran at once. */
    private ProbeExchangeService borrow() {
        ProbeExchangeService service = services.poll();
        if (service == null) {
            service = new ProbeExchangeService(http);
            service.setUrl(url);
            service.setUserAgent(UserAgent.PRODUCT);
            service.setAcceptGzipEncoding(false);
        }
        service.reset();
        return service;
    }

    /** Probes one mailbox of this tenant; never throws, returns by the deadline. */
    ProbeResult probe(Target target, Instant deadline, Trace trace) {
        ProbeAttempt attempt = new ProbeAttempt(ProbeKind.EWS, kind, target, deadline, trace, clock);
        ProbeExchangeService service = borrow();
        try {
            service.setImpersonatedUserId(new ImpersonatedUserId(ConnectingIdType.SmtpAddress, target.mailbox()));
            // Exchange Online routes by this header; without it impersonated requests fail with 500/503 or slow down.
            service.getHttpHeaders().put("X-AnchorMailbox", target.mailbox());
            attempt.token(credentials.kind(), null, until -> credentials.applyTo(service, until));
            long remaining = attempt.remainingMillis();
            if (trace.isOn()) {
                trace.step("ews-request", StepStatus.OK, Duration.ZERO, Trace.detail(
                        "url", url.toString(), "operation", "GetFolder " + folder + " (IdOnly)",
                        "impersonation", "ExchangeImpersonation, ConnectingSID SmtpAddress " + target.mailbox(),
                        "anchorMailboxHeader", target.mailbox(), "userAgent", UserAgent.EWS,
                        "timeoutMillis", remaining));
            }
            service.setTimeout((int) Math.min(remaining, Integer.MAX_VALUE));
            Throwable failure = null;
            boolean deadlinePassed;
            Instant sent = clock.instant();
            try (Watchdog watchdog = new Watchdog(watchdogs, remaining)) {
                service.context().setAttribute(EwsHttpClient.WATCHDOG, watchdog);
                try {
                    Folder.bind(service, folder, ID_ONLY);
                } catch (Exception | LinkageError e) {
                    failure = e;
                }
                deadlinePassed = watchdog.fired();
            }
            CapturedResponse captured = (CapturedResponse) service.context().getAttribute(EwsHttpClient.CAPTURED);
            Classification c = EwsClassifier.classify(captured, failure, deadlinePassed);
            if (c.httpStatus() == 401) {
                credentials.rejected();
            }
            if (c.outcome() == Outcome.UNKNOWN_ERROR && failure != null) {
                LOG.debugf(failure, "Unclassified EWS failure for %s", target.id());
            }
            if (trace.isOn()) {
                trace.step("ews-response", c.outcome().verdict() == Verdict.ERROR ? StepStatus.FAILED : StepStatus.OK,
                        Duration.between(sent, clock.instant()), responseDetail(captured, c));
            }
            return attempt.finish(c);
        } catch (ProbeAttempt.Stop stop) {
            return attempt.finish(stop.classification());
        } catch (RuntimeException e) {
            return attempt.unexpected(e);
        } finally {
            services.offer(service);
        }
    }

    /** What came back, for a live check's trace: the codes, the server version and the ids Microsoft support asks for. */
    private static Map<String, Object> responseDetail(CapturedResponse captured, Classification c) {
        String serverVersion = captured == null ? null
                : SoapAnswer.parse(captured.body()).map(SoapAnswer::serverVersion).orElse(null);
        return Trace.detail(
                "httpStatus", c.httpStatus() == 0 ? null : c.httpStatus(),
                "responseCode", c.responseCode(),
                "serverVersion", serverVersion,
                "requestId", captured == null ? null : captured.header("request-id"),
                "diagnostics", captured == null ? null : captured.header("x-ms-diagnostics"),
                "backOffRequestedMillis", c.backOff() == null ? null : c.backOff().toMillis(),
                // What scheduled probes of the tenant wait: the request cut to the cap.
                "backOffAppliedMillis", c.backOff() == null ? null : BackoffGate.capped(c.backOff()).toMillis(),
                "policyReason", captured == null ? null : captured.header(EwsClassifier.POLICY_REASON),
                "detail", Printable.of(c.detail(), 500));
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}
