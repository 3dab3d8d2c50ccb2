package io.impersonationprobe.api;

import io.impersonationprobe.Printable;
import io.impersonationprobe.auth.CredentialRegistry;
import io.impersonationprobe.config.Expectation;
import io.impersonationprobe.config.ProbeConfig;
import io.impersonationprobe.config.ResolvedTenant;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.control.AdminApiException;
import io.impersonationprobe.control.AuthorizationCheck;
import io.impersonationprobe.control.ControlPlanePoller;
import io.impersonationprobe.control.OrganizationState;
import io.impersonationprobe.control.Propagation;
import io.impersonationprobe.control.RoleAssignmentInfo;
import io.impersonationprobe.probe.Probe;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.RemediationContext;
import io.impersonationprobe.probe.Trace;
import io.impersonationprobe.probe.Trace.StepStatus;
import io.impersonationprobe.target.MailboxAddress;
import io.impersonationprobe.target.Target;
import io.impersonationprobe.target.TargetGroup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Runs a live check: a real probe now (never a cached result), with every step traced, the control plane's view of
 * the mailbox, and the verdict with its cause and fix. Input is validated before anything is sent; the caller's
 * budget is enforced; every check is audit-logged. Live results are not recorded as scheduled ones: the metrics
 * describe the schedule.
 */
@ApplicationScoped
public class LiveChecks {
    static final String LIVE_GROUP = "live-check";
    private static final Logger AUDIT = Logger.getLogger("io.impersonationprobe.audit");

    private final ValidatedConfig config;
    private final ProbeConfig probeConfig;
    private final Map<String, Probe> probes = new HashMap<>();
    private final List<RemediationContext> contexts;
    private final ControlPlanePoller controlPlane;
    private final CredentialRegistry credentials;
    private final CheckLimiter limiter;
    /** Per tenant, per mailbox: the configured targets, which set the expectation and open the mailbox to checks. */
    private final Map<String, Map<String, List<Target>>> configured = new HashMap<>();
    private final Set<String> allowedDomains;

    @Inject
    public LiveChecks(ValidatedConfig config, ProbeConfig probeConfig, Instance<Probe> probes,
                      Instance<RemediationContext> contexts, ControlPlanePoller controlPlane,
                      CredentialRegistry credentials, CheckLimiter limiter) {
        this.config = config;
        this.probeConfig = probeConfig;
        probes.forEach(p -> this.probes.put(p.kind(), p));
        this.contexts = contexts.stream().toList();
        this.controlPlane = controlPlane;
        this.credentials = credentials;
        this.limiter = limiter;
        for (TargetGroup group : config.groups()) {
            for (Target target : group.targets()) {
                configured.computeIfAbsent(target.tenant(), t -> new HashMap<>())
                        .computeIfAbsent(target.mailbox(), m -> new ArrayList<>()).add(target);
            }
        }
        this.allowedDomains = probeConfig.api().checks().allowedDomains().orElse(List.of()).stream()
                .map(d -> d.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    /** A validated request: what to probe and against what expectation. */
    public record CheckRequest(ResolvedTenant tenant, String mailbox, String probe, Expectation expect,
                               String expectSource, Target target) {
    }

    /**
     * Checks the request's fields and the caller's right to probe this mailbox; throws a 400, 403 or 404 problem.
     * Nothing unvalidated goes further: the mailbox must be a plain SMTP address before it nears a header or SOAP.
     */
    public CheckRequest validate(String tenantId, String mailboxText, String expectText, String probeKind) {
        if (tenantId == null || tenantId.isBlank()) {
            throw ApiProblem.badRequest("invalid-tenant", "'tenant' is required.");
        }
        if (mailboxText == null || mailboxText.isBlank()) {
            throw ApiProblem.badRequest("invalid-mailbox", "'mailbox' is required.");
        }
        String problem = MailboxAddress.problemWith(mailboxText);
        if (problem != null) {
            throw ApiProblem.badRequest("invalid-mailbox", "'mailbox' " + problem + ".");
        }
        String mailbox = mailboxText.toLowerCase(Locale.ROOT);
        ResolvedTenant tenant = config.tenants().get(tenantId);
        if (tenant == null) {
            throw ApiProblem.notFound("unknown-tenant", "No tenant '" + Printable.of(tenantId, 64)
                    + "' is configured; GET /api/v1/tenants lists them.");
        }
        String kind = probeKind == null || probeKind.isBlank() ? "ews" : probeKind.toLowerCase(Locale.ROOT);
        if (!probes.containsKey(kind)) {
            throw ApiProblem.badRequest("invalid-probe", "'probe' must be one of " + probes.keySet().stream().sorted().toList()
                    + ".");
        }
        if (kind.equals("graph") && tenant.kind() != io.impersonationprobe.config.TenantKind.EXCHANGE_ONLINE) {
            throw ApiProblem.badRequest("invalid-probe", "'probe' graph is for Exchange Online tenants; tenant '"
                    + tenant.id() + "' is on-premises.");
        }
        List<Target> targets = configured.getOrDefault(tenant.id(), Map.of()).getOrDefault(mailbox, List.of());
        String domain = mailbox.substring(mailbox.indexOf('@') + 1);
        if (targets.isEmpty() && !allowedDomains.contains(domain)) {
            // The same answer whether or not the mailbox exists: the refusal is about configuration, not Exchange.
            throw new ApiProblem(403, "mailbox-not-allowed", "Mailbox not open to live checks", "Live checks may probe "
                    + "configured targets" + (allowedDomains.isEmpty() ? "" : " and mailboxes at the allowed domains")
                    + " only; add the mailbox to a group or its domain to impersonation.api.checks.allowed-domains.", null);
        }
        Expectation expect;
        String source;
        if (expectText != null && !expectText.isBlank()) {
            try {
                expect = Expectation.valueOf(expectText.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiProblem.badRequest("invalid-expect", "'expect' must be allow or deny.");
            }
            source = "request";
        } else if (!targets.isEmpty()) {
            expect = targets.get(0).expect();
            source = "group " + targets.get(0).group();
        } else {
            expect = Expectation.ALLOW;
            source = "default";
        }
        Target target = new Target(tenant.id(), targets.isEmpty() ? LIVE_GROUP : targets.get(0).group(), mailbox, expect);
        return new CheckRequest(tenant, mailbox, kind, expect, source, target);
    }

    /** Runs a validated check for the caller within its budget; {@code timeout} bounds the probe itself. */
    public CheckReport run(String caller, String source, CheckRequest request, Duration timeout) {
        try {
            CheckReport report = limiter.run(caller, () -> check(request, timeout), CheckReport.class);
            audit(caller, source, request, report);
            return report;
        } catch (ApiProblem refused) {
            auditRefusal(caller, source, request, refused);
            throw refused;
        }
    }

    /**
     * Refusals are audited, but a caller hammering the API gets one line per {@link #REFUSALS_LOGGED_EVERY} with the
     * count since the last, so a flood of 429s cannot flood the log.
     */
    private void auditRefusal(String caller, String source, CheckRequest request, ApiProblem refused) {
        Refusals refusals = this.refusals.computeIfAbsent(caller, c -> new Refusals());
        long now = System.nanoTime();
        long suppressed;
        synchronized (refusals) {
            if (refusals.loggedAt != 0 && now - refusals.loggedAt < REFUSALS_LOGGED_EVERY.toNanos()) {
                refusals.suppressed++;
                return;
            }
            suppressed = refusals.suppressed;
            refusals.suppressed = 0;
            refusals.loggedAt = now;
        }
        AUDIT.infof("live-check refused caller=%s source=%s tenant=%s mailbox=%s status=%d reason=%s%s", caller, source,
                request.tenant().id(), request.mailbox(), refused.status(), refused.type(),
                suppressed == 0 ? "" : " (and " + suppressed + " more refusals of this caller since the last line)");
    }

    static final Duration REFUSALS_LOGGED_EVERY = Duration.ofSeconds(10);
    private final Map<String, Refusals> refusals = new java.util.concurrent.ConcurrentHashMap<>();

    private static final class Refusals {
        long loggedAt;
        long suppressed;
    }

    private static void audit(String caller, String source, CheckRequest request, CheckReport report) {
        AUDIT.infof("live-check caller=%s source=%s tenant=%s mailbox=%s probe=%s verdict=%s outcome=%s expected=%s "
                        + "success=%s duration_ms=%d id=%s", caller, source, request.tenant().id(), request.mailbox(),
                report.probe(), report.verdict(), report.outcome(), report.expect(), report.success(),
                report.durationMillis(), report.id());
    }

    private CheckReport check(CheckRequest request, Duration timeout) {
        Trace trace = new Trace();
        Instant started = Instant.now();
        ResolvedTenant tenant = request.tenant();
        trace.step("configuration", StepStatus.OK, Duration.ZERO, Trace.detail(
                "tenant", tenant.id(),
                "kind", tenant.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                "endpoint", "graph".equals(request.probe()) ? tenant.config().graph().url().toString()
                        : tenant.config().ewsUrl().toString(),
                "credential", credentials.ews(tenant.id()).kind(),
                "app", tenant.config().auth().clientId().orElse(null),
                "probe", request.probe(),
                "expect", request.expect().label() + " (" + request.expectSource() + ")",
                "timeoutMillis", timeout.toMillis()));
        ProbeResult result = probes.get(request.probe()).probe(request.target(), started.plus(timeout), trace);
        for (RemediationContext context : contexts) {
            result = context.annotate(result);
        }
        controlPlaneStep(tenant, request.mailbox(), result, trace);
        trace.step("verdict", result.success() ? StepStatus.OK : StepStatus.FAILED, Duration.ZERO, Trace.detail(
                "verdict", result.verdict().name().toLowerCase(Locale.ROOT),
                "outcome", result.outcome().label(),
                "expected", request.expect().label()));
        return new CheckReport(UUID.randomUUID().toString(), tenant.id(), request.mailbox(), request.probe(),
                request.expect().label(), request.expectSource(), started,
                Duration.between(started, Instant.now()).toMillis(), result.verdict().name().toLowerCase(Locale.ROOT),
                result.outcome().label(), result.success(), result.cause(), result.remediation(),
                trace.steps().stream().map(CheckReport.StepView::of).toList());
    }

    /** The control plane's view of this mailbox: org flags, the assignments that cover it or not, propagation. */
    private void controlPlaneStep(ResolvedTenant tenant, String mailbox, ProbeResult result, Trace trace) {
        if (!controlPlane.polls(tenant.id())) {
            trace.step("control-plane", StepStatus.SKIPPED, Duration.ZERO, Trace.detail("reason",
                    "this tenant has no admin API configured (on-premises: the EWS answer alone tells whether "
                            + "ApplicationImpersonation covers the mailbox)"));
            return;
        }
        Instant started = Instant.now();
        Map<String, Object> detail = new java.util.LinkedHashMap<>();
        StepStatus status = StepStatus.OK;
        Optional<OrganizationState> org = controlPlane.organization(tenant.id());
        if (org.isPresent()) {
            detail.put("isDehydrated", org.get().isDehydrated());
            detail.put("ewsEnabled", org.get().ewsEnabled());
            detail.put("appAllowedToUseEws", org.get().appAllowed());
            detail.put("organizationPolledAt", org.get().polledAt().toString());
            if (org.get().isDehydrated() || !org.get().appAllowed()) {
                status = StepStatus.WARNING;
            }
        } else {
            detail.put("organization", "not polled yet");
        }
        boolean graph = "graph".equals(result.probe());
        List<RoleAssignmentInfo> assignments = graph
                ? controlPlane.appAssignments(tenant.id(), role -> role.regionMatches(true, 0, "Application Mail.", 0, 17))
                : controlPlane.appAssignments(tenant.id());
        detail.put("appAssignments", assignments.stream().map(a -> a.name() + " (" + a.role() + ", scope "
                + (a.scope() == null ? "organisation" : a.scope()) + (a.enabled() ? "" : ", disabled") + ")").toList());
        try {
            if (graph) {
                // Test-ServicePrincipalAuthorization is read for the EWS role; the Graph roles are listed above.
                trace.step("control-plane", status, Duration.between(started, Instant.now()), detail);
                return;
            }
            AuthorizationCheck check = controlPlane.checkAuthorization(tenant.id(), mailbox);
            detail.put("scopesCovering", check.coveringScopes());
            detail.put("scopesNotCovering", check.otherScopes());
            Optional<Propagation> propagation = controlPlane.propagation(tenant.id(), check, result);
            propagation.ifPresent(p -> detail.put("propagation", p.label()));
            if (propagation.isPresent() && propagation.get() != Propagation.EFFECTIVE) {
                status = StepStatus.WARNING;
            }
        } catch (AdminApiException e) {
            detail.put("testServicePrincipalAuthorization", "failed: " + e.kind() + " (" + Printable.of(e.getMessage(), 300)
                    + ")");
            status = StepStatus.WARNING;
        }
        trace.step("control-plane", status, Duration.between(started, Instant.now()), detail);
    }
}
