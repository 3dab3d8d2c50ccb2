package io.impersonationprobe.api;

import io.impersonationprobe.Printable;
import io.impersonationprobe.auth.CredentialRegistry;
import io.impersonationprobe.config.ProbeConfig;
import io.impersonationprobe.config.ResolvedTenant;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.config.TenantKind;
import io.impersonationprobe.control.ConfiguredAccess;
import io.impersonationprobe.control.ControlPlaneException;
import io.impersonationprobe.control.ControlPlanePoller;
import io.impersonationprobe.control.OrganizationState;
import io.impersonationprobe.control.Propagation;
import io.impersonationprobe.control.RoleAssignmentInfo;
import io.impersonationprobe.probe.Outcome;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.ProbeRunner;
import io.impersonationprobe.probe.Trace;
import io.impersonationprobe.probe.Trace.StepStatus;
import io.impersonationprobe.target.Expectation;
import io.impersonationprobe.target.MailboxAddress;
import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Target;
import io.impersonationprobe.target.TargetGroup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
    private final ProbeRunner runner;
    private final Clock clock;
    private final ControlPlanePoller controlPlane;
    private final CredentialRegistry credentials;
    private final CheckLimiter limiter;
    /** Per tenant, per mailbox: the configured targets, which set the expectation and open the mailbox to checks. */
    private final Map<String, Map<String, List<Target>>> configured = new HashMap<>();
    private final Set<String> allowedDomains;

    @Inject
    public LiveChecks(ValidatedConfig config, ProbeConfig probeConfig, ProbeRunner runner, Clock clock,
                      ControlPlanePoller controlPlane, CredentialRegistry credentials, CheckLimiter limiter) {
        this.config = config;
        this.runner = runner;
        this.clock = clock;
        this.controlPlane = controlPlane;
        this.credentials = credentials;
        this.limiter = limiter;
        // Every configured target, not only this replica's share: any replica answers for any target.
        for (TargetGroup group : config.configuredGroups()) {
            for (Target target : group.targets()) {
                configured.computeIfAbsent(target.tenant(), t -> new HashMap<>())
                        .computeIfAbsent(target.mailbox(), m -> new ArrayList<>()).add(target);
            }
        }
        this.allowedDomains = probeConfig.api().checks().allowedDomains().orElse(List.of()).stream()
                .map(d -> d.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    /** A validated request: what to probe and against what expectation. */
    public record CheckRequest(ResolvedTenant tenant, String mailbox, ProbeKind probe, Expectation expect,
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
        ProbeKind kind = probeKind == null || probeKind.isBlank() ? ProbeKind.EWS
                : ProbeKind.ofLabel(probeKind).filter(runner.kinds()::contains).orElseThrow(() -> ApiProblem.badRequest(
                "invalid-probe", "'probe' must be one of " + runner.kinds().stream().map(ProbeKind::label).toList() + "."));
        if (kind == ProbeKind.GRAPH && tenant.kind() != TenantKind.EXCHANGE_ONLINE) {
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
            CheckReport report = limiter.run(caller, () -> check(request, timeout));
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
    private final Map<String, Refusals> refusals = new ConcurrentHashMap<>();

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
        Instant started = clock.instant();
        ResolvedTenant tenant = request.tenant();
        trace.step("configuration", StepStatus.OK, Duration.ZERO, Trace.detail(
                "tenant", tenant.id(),
                "kind", tenant.kind().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                "endpoint", request.probe() == ProbeKind.GRAPH ? tenant.config().graph().url().toString()
                        : tenant.config().ewsUrl().toString(),
                "credential", credentials.ews(tenant.id()).kind(),
                "app", tenant.config().auth().clientId().orElse(null),
                "probe", request.probe().label(),
                "expect", request.expect().label() + " (" + request.expectSource() + ")",
                "timeoutMillis", timeout.toMillis()));
        ProbeResult result = runner.check(request.probe(), request.target(), timeout, trace);
        controlPlaneStep(tenant, request.mailbox(), result, trace);
        trace.step("verdict", result.success() ? StepStatus.OK : StepStatus.FAILED, Duration.ZERO, Trace.detail(
                "verdict", result.verdict().name().toLowerCase(Locale.ROOT),
                "outcome", result.outcome().label(),
                "expected", request.expect().label()));
        return new CheckReport(UUID.randomUUID().toString(), tenant.id(), request.mailbox(), request.probe().label(),
                request.expect().label(), request.expectSource(), started,
                Duration.between(started, clock.instant()).toMillis(), result.verdict().name().toLowerCase(Locale.ROOT),
                result.outcome().label(), result.success(), result.cause(), result.remediation(),
                trace.steps().stream().map(CheckReport.StepView::of).toList());
    }

    /** Refused by Exchange before the mailbox was reached: an EWS gate or a bare 403. */
    private static boolean refusedByExchange(ProbeResult result) {
        return result.outcome().isEwsGateRefusal() || result.outcome() == Outcome.FORBIDDEN;
    }

    /** The control plane's view of this mailbox: org flags, the assignments that cover it or not, propagation. */
    private void controlPlaneStep(ResolvedTenant tenant, String mailbox, ProbeResult result, Trace trace) {
        if (!controlPlane.polls(tenant.id())) {
            trace.step("control-plane", StepStatus.SKIPPED, Duration.ZERO, Trace.detail("reason",
                    "this tenant's control plane is not read (on-premises: set control-plane.ldap.url to read "
                            + "its RBAC from Active Directory; without it the EWS answer alone tells whether "
                            + "ApplicationImpersonation covers the mailbox)"));
            return;
        }
        if (controlPlane.predicts(tenant.id())) {
            predictionStep(tenant, mailbox, result, trace);
            return;
        }
        Instant started = clock.instant();
        Map<String, Object> detail = new LinkedHashMap<>();
        StepStatus status = StepStatus.OK;
        Optional<OrganizationState> org = controlPlane.organization(tenant.id());
        if (org.isPresent()) {
            OrganizationState known = org.get();
            detail.put("isDehydrated", known.isDehydrated() == null ? "unknown" : known.isDehydrated());
            detail.put("ewsEnabled", known.ewsEnabled().label());
            detail.put("ewsAllowedAppIds", known.ewsAllowedAppIds() == null ? "unknown" : known.ewsAllowedAppIds());
            detail.put("ewsDecision", known.decision().label());
            detail.put("ewsDecisionReason", known.decision().reason());
            controlPlane.pendingGate(tenant.id()).ifPresent(p -> detail.put("pendingChange", p.describe()));
            if (!known.unreadable().isEmpty()) {
                detail.put("unreadable", known.unreadable());
            }
            detail.put("organizationPolledAt", known.polledAt().toString());
            if (known.dehydrated() || !known.appAllowed()) {
                status = StepStatus.WARNING;
            }
        } else {
            detail.put("organization", "not polled yet");
        }
        boolean graph = result.probe() == ProbeKind.GRAPH;
        if (!graph && refusedByExchange(result)) {
            // A mailbox's own EwsEnabled False blocks it whatever the organisation says.
            try {
                controlPlane.mailboxEwsEnabled(tenant.id(), mailbox)
                        .ifPresent(enabled -> detail.put("mailboxEwsEnabled", enabled.label()));
            } catch (ControlPlaneException e) {
                detail.put("mailboxEwsEnabled", "Get-CASMailbox failed: " + e.failure().label() + " ("
                        + Printable.of(e.getMessage(), 200) + ")");
            }
        }
        List<RoleAssignmentInfo> assignments = graph
                ? controlPlane.appAssignments(tenant.id(), role -> role.regionMatches(true, 0, "Application Mail.", 0, 17))
                : controlPlane.appAssignments(tenant.id());
        detail.put("appAssignments", assignments.stream().map(a -> a.name() + " (" + a.role() + ", scope "
                + (a.scope() == null ? "organisation" : a.scope()) + (a.enabled() ? "" : ", disabled") + ")").toList());
        try {
            if (graph) {
                // Test-ServicePrincipalAuthorization is read for the EWS role; the Graph roles are listed above.
                trace.step("control-plane", status, Duration.between(started, clock.instant()), detail);
                return;
            }
            ConfiguredAccess check = controlPlane.configuredNow(tenant.id(), mailbox);
            detail.put("scopesCovering", check.covering());
            detail.put("scopesNotCovering", check.notCovering());
            Optional<Propagation> propagation = controlPlane.propagation(tenant.id(), check, result);
            propagation.ifPresent(p -> detail.put("propagation", p.label()));
            if (propagation.isPresent() && propagation.get() != Propagation.EFFECTIVE) {
                status = StepStatus.WARNING;
            }
        } catch (ControlPlaneException e) {
            detail.put("testServicePrincipalAuthorization", "failed: " + e.failure().label() + " (" + Printable.of(e.getMessage(), 300)
                    + ")");
            status = StepStatus.WARNING;
        }
        trace.step("control-plane", status, Duration.between(started, clock.instant()), detail);
    }

    /**
     * On-premises: what Active Directory says now about this mailbox (read for this check, not from the last poll),
     * the chain that decides it, and how the probe compares.
     */
    private void predictionStep(ResolvedTenant tenant, String mailbox, ProbeResult result, Trace trace) {
        Instant started = clock.instant();
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("directory", tenant.directory().url());
        StepStatus status = StepStatus.OK;
        try {
            ConfiguredAccess predicted = controlPlane.configuredNow(tenant.id(), mailbox);
            detail.put("basis", predicted.basis());
            detail.put("prediction", predicted.decision().name().toLowerCase(Locale.ROOT));
            detail.put("chain", predicted.chain());
            if (!predicted.fixes().isEmpty()) {
                detail.put("fixes", predicted.fixes());
            }
            if (predicted.changedAt() != null) {
                detail.put("changedAt", predicted.changedAt().toString());
            }
            Optional<Propagation> propagation = controlPlane.propagation(tenant.id(), predicted, result);
            propagation.ifPresent(p -> detail.put("propagation", p.label()));
            if (predicted.decision() == ConfiguredAccess.Decision.UNKNOWN
                    || propagation.isPresent() && propagation.get() != Propagation.EFFECTIVE) {
                status = StepStatus.WARNING;
            }
        } catch (ControlPlaneException e) {
            detail.put("activeDirectory", "failed: " + e.failure().label() + " (" + Printable.of(e.getMessage(), 300)
                    + ")");
            status = StepStatus.WARNING;
        }
        trace.step("control-plane", status, Duration.between(started, clock.instant()), detail);
    }
}
