package io.impersonationprobe.control;

import io.impersonationprobe.probe.Outcome;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.RemediationContext;
import io.impersonationprobe.probe.UserAgent;
import io.impersonationprobe.probe.Verdict;
import io.impersonationprobe.target.ProbeKind;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;

/**
 * What the control plane adds to a probe's fix: a refusal in a dehydrated org, EWS gated off, a grant that is still
 * propagating, stuck, or missing. Text only: it changes no state, so live checks and scheduled probes get the same.
 */
@ApplicationScoped
public class ControlPlaneAdvice implements RemediationContext {
    private final ControlPlanePoller controlPlane;
    private final PropagationTracker tracker;

    @Inject
    public ControlPlaneAdvice(ControlPlanePoller controlPlane, PropagationTracker tracker) {
        this.controlPlane = controlPlane;
        this.tracker = tracker;
    }

    @Override
    public ProbeResult annotate(ProbeResult result) {
        String tenant = result.target().tenant();
        if (!controlPlane.polls(tenant)) {
            return result;
        }
        if (result.probe() == ProbeKind.EWS && controlPlane.predicts(tenant)) {
            return explainPrediction(result);
        }
        if (result.probe() == ProbeKind.EWS) {
            // Test-ServicePrincipalAuthorization answers for the EWS role; Graph's mail roles are others.
            result = explainDenial(result);
        }
        Optional<OrganizationState> known = controlPlane.organization(tenant);
        if (known.isEmpty()) {
            return result;
        }
        OrganizationState org = known.get();
        String context = null;
        if (org.dehydrated() && (result.outcome() == Outcome.IMPERSONATION_DENIED
                || result.outcome() == Outcome.ACCESS_DENIED) && !result.success()) {
            context = "The organisation is dehydrated (IsDehydrated=True): role assignments cannot be created until "
                    + "Enable-OrganizationCustomization has run once. Run it, then assign the role.";
        } else if (result.probe() == ProbeKind.EWS && (result.outcome().isEwsGateRefusal()
                || result.outcome() == Outcome.FORBIDDEN)) {
            context = gateContext(tenant, org, result);
        }
        return context == null ? result : result.withRemediation(context + " " + result.remediation());
    }

    /** What the last poll says about the EWS gates, for a refusal by one of them or a bare 403. */
    private String gateContext(String tenant, OrganizationState org, ProbeResult result) {
        String appId = controlPlane.appId(tenant);
        Optional<ControlPlanePoller.PendingGate> pending = controlPlane.pendingGate(tenant);
        if (pending.isPresent() && org.appAllowed() && pending.get().change().explains(result.outcome())) {
            return "PENDING: " + pending.get().describe() + "; Exchange still refuses until the change reaches it.";
        }
        String gates = "The last control-plane poll (" + org.polledAt().truncatedTo(ChronoUnit.SECONDS)
                + ") reads EwsEnabled " + org.ewsEnabled().label() + ", EwsAllowedAppIDs "
                + (org.ewsAllowedAppIds() == null ? "unknown" : org.ewsAllowedAppIds().isEmpty() ? "empty"
                : "'" + String.join(",", org.ewsAllowedAppIds()) + "'") + ", user-agent policy "
                + (org.ewsApplicationAccessPolicy() == null ? "none" : org.ewsApplicationAccessPolicy())
                + ": Exchange decides " + org.decision().label() + " for this app (" + org.decision().reason() + ").";
        String fix = switch (org.decision()) {
            case BLOCKED_EWS_DISABLED -> " Set-OrganizationConfig -EwsEnabled $true (about 1 h to take effect).";
            case BLOCKED_ALLOW_LIST_EMPTY -> " Set-OrganizationConfig -EwsAllowedAppIDs \"" + appId + "\" (up to 24 h).";
            case BLOCKED_NOT_IN_ALLOW_LIST -> " Set-OrganizationConfig -EwsAllowedAppIDs \""
                    + String.join(",", org.ewsAllowedAppIds()) + "," + appId + "\" (the value is replaced whole; up to 24 h).";
            case BLOCKED_USER_AGENT -> " Set-OrganizationConfig -EwsAllowList @{Add=\"" + UserAgent.PRODUCT + "*\"} (or "
                    + "take the probe's user agent '" + UserAgent.EWS + "' off EwsBlockList).";
            default -> result.outcome() == Outcome.EWS_DISABLED
                    ? " The organisation does not switch EWS off, so the mailbox's own EwsEnabled does: "
                    + "Set-CASMailbox <mailbox> -EwsEnabled $true." : "";
        };
        return gates + fix;
    }

    /**
     * On-premises: a probe that went wrong says what Active Directory predicts and why: for a scope leak, the
     * assignment, group path and scope that open the mailbox and how to close it; for a denial, what is missing, or
     * that the change is still within the cache window, or that the probe contradicts the directory.
     */
    private ProbeResult explainPrediction(ProbeResult result) {
        if (result.success() || result.verdict() == Verdict.ERROR) {
            return result;
        }
        String tenant = result.target().tenant();
        ConfiguredAccess predicted = controlPlane.configured(tenant, result.target().id()).orElse(null);
        if (predicted == null || predicted.chain() == null) {
            return result;
        }
        String fixes = predicted.fixes().isEmpty() ? "" : " Fix: " + String.join("; or ", predicted.fixes()) + ".";
        Optional<Propagation> state = controlPlane.propagation(tenant, predicted, result);
        String context;
        if (result.verdict() == Verdict.ALLOWED && predicted.inScope()) {
            context = "Scope leak: " + predicted.chain() + "." + fixes;
        } else if (state.isPresent() && state.get() == Propagation.MISMATCH) {
            context = "Active Directory predicts " + predicted.decision().name().toLowerCase(Locale.ROOT) + " ("
                    + predicted.chain() + "), but the probe saw " + result.verdict().name().toLowerCase(Locale.ROOT)
                    + " more than " + controlPlane.cacheWindow(tenant) + " after the last change: check that Exchange "
                    + "reads the same domain controller, and the directory's replication.";
        } else if (state.isPresent() && state.get() != Propagation.EFFECTIVE) {
            context = "Active Directory already says " + predicted.decision().name().toLowerCase(Locale.ROOT) + " ("
                    + predicted.chain() + "); EWS caches RBAC for 5 minutes plus replication (cache window "
                    + controlPlane.cacheWindow(tenant) + ").";
        } else {
            context = "Active Directory predicts " + predicted.decision().name().toLowerCase(Locale.ROOT) + ": "
                    + predicted.chain() + "." + fixes;
        }
        return result.withRemediation(context + " " + result.remediation());
    }

    /** A denial of a mailbox that should be reachable says whether a grant is propagating, stuck, or missing. */
    private ProbeResult explainDenial(ProbeResult result) {
        if (result.success() || result.verdict() != Verdict.DENIED) {
            return result;
        }
        String tenant = result.target().tenant();
        ConfiguredAccess check = controlPlane.configured(tenant, result.target().id()).orElse(null);
        if (check == null || check.decision() == ConfiguredAccess.Decision.UNKNOWN) {
            return result;
        }
        String context;
        if (!check.inScope()) {
            context = "Test-ServicePrincipalAuthorization finds no role assignment of this app whose scope covers the "
                    + "mailbox" + (check.notCovering().isEmpty() ? " (the app has no EWS assignment)"
                    : " (not in scope: " + String.join(", ", check.notCovering()) + ")") + ".";
        } else {
            Instant since = controlPlane.coveredSince(tenant, check);
            Duration window = controlPlane.propagationWindow(tenant);
            context = tracker.isStuck(since, window) ? "Configured access (scope " + String.join(", ", check.covering())
                    + ", since " + since + ") has not taken effect within " + window + ": check that the assignment is "
                    + "enabled, that no application access policy blocks the app, and open a support case if it persists."
                    : "Configured access exists (scope " + String.join(", ", check.covering())
                    + (since == null ? "" : ", assigned " + since) + ") and is still propagating: Exchange Online caches "
                    + "grants for 30 min to 2 h.";
        }
        return result.withRemediation(context + " " + result.remediation());
    }
}
