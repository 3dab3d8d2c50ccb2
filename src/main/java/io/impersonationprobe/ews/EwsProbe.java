package io.impersonationprobe.ews;

import io.impersonationprobe.Printable;
import io.impersonationprobe.auth.AadstsAdvice;
import io.impersonationprobe.auth.AccessToken;
import io.impersonationprobe.auth.CredentialRegistry;
import io.impersonationprobe.auth.EwsCredentials;
import io.impersonationprobe.auth.TokenException;
import io.impersonationprobe.config.ConfigValidator;
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
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import microsoft.exchange.webservices.data.core.enumeration.misc.ConnectingIdType;
import microsoft.exchange.webservices.data.core.enumeration.property.BasePropertySet;
import microsoft.exchange.webservices.data.core.enumeration.property.WellKnownFolderName;
import microsoft.exchange.webservices.data.core.PropertySet;
import microsoft.exchange.webservices.data.core.service.folder.Folder;
import microsoft.exchange.webservices.data.misc.ImpersonatedUserId;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Proves EWS impersonation of one mailbox: a {@code GetFolder} of one well-known folder with {@code IdOnly}, sent
 * with the {@code ExchangeImpersonation} SOAP header (SMTP address) and the {@code X-AnchorMailbox} HTTP header that
 * Exchange Online needs to route it. It reads a folder ID and never mail.
 */
@ApplicationScoped
public class EwsProbe implements Probe {
    public static final String KIND = "ews";
    static final String USER_AGENT = "impersonation-probe";
    private static final Logger LOG = Logger.getLogger(EwsProbe.class);
    private static final PropertySet ID_ONLY = new PropertySet(BasePropertySet.IdOnly);

    static {
        pinStaxFactories();
    }

    /**
     * ews-java-api asks for a new StAX factory for every request it writes and every answer it reads; without these
     * properties each such call searches the class path for a provider (several percent of a probe's CPU). Pinning
     * them to the providers that search finds now changes nothing else; properties already set are left alone.
     */
    static void pinStaxFactories() {
        pin("javax.xml.stream.XMLInputFactory", () -> javax.xml.stream.XMLInputFactory.newInstance());
        pin("javax.xml.stream.XMLOutputFactory", () -> javax.xml.stream.XMLOutputFactory.newInstance());
        pin("javax.xml.stream.XMLEventFactory", () -> javax.xml.stream.XMLEventFactory.newInstance());
    }

    private static void pin(String property, java.util.function.Supplier<Object> factory) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, factory.get().getClass().getName());
        }
    }

    private final Map<String, Endpoint> tenants = new HashMap<>();
    private final WellKnownFolderName folder;
    private final Clock clock;
    private final ScheduledExecutorService watchdogs = watchdogs();

    /**
     * One timer thread for every probe's deadline. A cancelled deadline leaves the queue at once: otherwise every
     * answered probe would keep its task there for the whole timeout, tens of thousands of them in a large estate.
     */
    private static ScheduledExecutorService watchdogs() {
        java.util.concurrent.ScheduledThreadPoolExecutor timer = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                r -> {
                    Thread thread = new Thread(r, "ews-probe-watchdog");
                    thread.setDaemon(true);
                    return thread;
                });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** Where and how one tenant's probes go. */
    record Endpoint(TenantKind kind, URI ewsUrl, EwsHttpClient http, EwsCredentials credentials,
                    java.util.Queue<ProbeExchangeService> services) {
        Endpoint(TenantKind kind, URI ewsUrl, EwsHttpClient http, EwsCredentials credentials) {
            this(kind, ewsUrl, http, credentials, new java.util.concurrent.ConcurrentLinkedQueue<>());
        }

        /** A service of this tenant's pool, as new; at most as many exist as probes ever ran at once. */
        ProbeExchangeService borrow() {
            ProbeExchangeService service = services.poll();
            if (service == null) {
                service = new ProbeExchangeService(http);
                service.setUrl(ewsUrl);
                service.setUserAgent(USER_AGENT);
                service.setAcceptGzipEncoding(false);
            }
            service.reset();
            return service;
        }

        void giveBack(ProbeExchangeService service) {
            services.offer(service);
        }
    }

    @Inject
    public EwsProbe(ValidatedConfig config, ProbeConfig probeConfig, CredentialRegistry credentials) {
        this(endpoints(config, credentials, probeConfig.api().checks().maxConcurrent()),
                ConfigValidator.wellKnownFolder(probeConfig.probe().folder()));
    }

    EwsProbe(Map<String, Endpoint> endpoints, WellKnownFolderName folder) {
        this.tenants.putAll(endpoints);
        this.folder = folder;
        this.clock = Clock.systemUTC();
    }

    private static Map<String, Endpoint> endpoints(ValidatedConfig config, CredentialRegistry credentials,
                                                   int liveChecks) {
        Map<String, Endpoint> endpoints = new HashMap<>();
        for (ResolvedTenant tenant : config.tenants().values()) {
            // Live checks get connections of their own, so they never wait for (or hold up) a scheduled probe's.
            int connections = tenant.config().concurrency() + liveChecks;
            endpoints.put(tenant.id(), new Endpoint(tenant.kind(), tenant.config().ewsUrl(),
                    new EwsHttpClient(connections, tenant.sslContext()), credentials.ews(tenant.id())));
        }
        return endpoints;
    }

    /** The User-Agent every probe sends, as ews-java-api composes it from ours and its own name. */
    private static final String SENT_USER_AGENT = USER_AGENT + " (ExchangeServicesClient/"
            + microsoft.exchange.webservices.data.core.EwsUtilities.getBuildVersion() + ")";

    /** The User-Agent every probe sends, as admins see it in IIS logs and EWS access policies match it. */
    public static String userAgent() {
        return SENT_USER_AGENT;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public ProbeResult probe(Target target, Instant deadline, Trace trace) {
        Endpoint tenant = tenants.get(target.tenant());
        Instant startedAt = clock.instant();
        ProbeExchangeService service = tenant.borrow();
        try {
            service.setImpersonatedUserId(new ImpersonatedUserId(ConnectingIdType.SmtpAddress, target.mailbox()));
            // Exchange Online routes by this header; without it impersonated requests fail with 500/503 or slow down.
            service.getHttpHeaders().put("X-AnchorMailbox", target.mailbox());
            Instant tokenStarted = clock.instant();
            try {
                AccessToken token = tenant.credentials().applyTo(service);
                if (trace.isOn()) {
                    trace.step("token", StepStatus.OK, Duration.between(tokenStarted, clock.instant()), Trace.detail(
                            "credential", tenant.credentials().kind(),
                            "source", token == null ? "none (credentials sent with the request)"
                                    : token.fromCache() ? "cache" : "network",
                            "expiresAt", token == null ? null : token.expiresAt().toString()));
                }
            } catch (TokenException e) {
                trace.step("token", StepStatus.FAILED, Duration.between(tokenStarted, clock.instant()), Trace.detail(
                        "credential", tenant.credentials().kind(), "errorCode", AadstsAdvice.code(e.getMessage()) == 0 ? null
                                : "AADSTS" + AadstsAdvice.code(e.getMessage()),
                        "error", Printable.of(e.getMessage(), 500)));
                return result(tenant, target, startedAt, new EwsClassifier.Classification(Outcome.TOKEN_FAILED, null, 0,
                        e.getMessage(), null, AadstsAdvice.forMessage(e.getMessage())));
            }
            long remaining = Duration.between(clock.instant(), deadline).toMillis();
            if (remaining <= 0) {
                return result(tenant, target, startedAt, new EwsClassifier.Classification(Outcome.TIMEOUT, null, 0,
                        "the deadline passed while getting a token"));
            }
            if (trace.isOn()) {
                trace.step("ews-request", StepStatus.OK, Duration.ZERO, Trace.detail(
                        "url", tenant.ewsUrl().toString(), "operation", "GetFolder " + folder + " (IdOnly)",
                        "impersonation", "ExchangeImpersonation, ConnectingSID SmtpAddress " + target.mailbox(),
                        "anchorMailboxHeader", target.mailbox(), "userAgent", userAgent(),
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
            EwsClassifier.Classification c = EwsClassifier.classify(captured, failure, deadlinePassed);
            if (c.httpStatus() == 401) {
                tenant.credentials().rejected();
            }
            if (c.outcome() == Outcome.UNKNOWN_ERROR && failure != null) {
                LOG.debugf(failure, "Unclassified EWS failure for %s", target.id());
            }
            if (trace.isOn()) {
                trace.step("ews-response", c.outcome().verdict() == Verdict.ERROR ? StepStatus.FAILED : StepStatus.OK,
                        Duration.between(sent, clock.instant()), responseDetail(captured, c));
            }
            return result(tenant, target, startedAt, c);
        } catch (RuntimeException e) {
            // The library misbehaving must not stop the scheduler; it is an error, never an OK.
            LOG.warnf(e, "EWS probe of %s failed unexpectedly", target.id());
            return result(tenant, target, startedAt, new EwsClassifier.Classification(Outcome.UNKNOWN_ERROR, null, 0,
                    e.getClass().getSimpleName()));
        } finally {
            tenant.giveBack(service);
        }
    }

    /** What came back, for a live check's trace: the codes, the server version and the ids Microsoft support asks for. */
    private static Map<String, Object> responseDetail(CapturedResponse captured, EwsClassifier.Classification c) {
        String serverVersion = captured == null ? null
                : SoapAnswer.parse(captured.body()).map(SoapAnswer::serverVersion).orElse(null);
        return Trace.detail(
                "httpStatus", c.httpStatus() == 0 ? null : c.httpStatus(),
                "responseCode", c.ewsResponseCode(),
                "serverVersion", serverVersion,
                "requestId", captured == null ? null : captured.header("request-id"),
                "diagnostics", captured == null ? null : captured.header("x-ms-diagnostics"),
                "backOffMillis", c.backOff() == null ? null : c.backOff().toMillis(),
                "detail", Printable.of(c.detail(), 500));
    }

    private ProbeResult result(Endpoint tenant, Target target, Instant startedAt, EwsClassifier.Classification c) {
        Outcome outcome = c.outcome().forExpectation(target.expect());
        String remediation = c.advice() != null ? c.advice() + " " + outcome.remediation(tenant.kind())
                : outcome.remediation(tenant.kind());
        return new ProbeResult(target, KIND, outcome, c.ewsResponseCode(), c.httpStatus(), startedAt,
                Duration.between(startedAt, clock.instant()), Printable.of(c.detail(), 1000), remediation, c.backOff());
    }

    @PreDestroy
    void close() {
        watchdogs.shutdownNow();
        for (Endpoint tenant : tenants.values()) {
            try {
                tenant.http().close();
            } catch (IOException e) {
                LOG.debug("closing EWS client", e);
            }
        }
    }
}
