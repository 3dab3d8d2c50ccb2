package io.impersonationprobe.metrics;

import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.control.AccessConfiguration;
import io.impersonationprobe.control.ConfiguredAccess;
import io.impersonationprobe.control.ControlPlaneEvent;
import io.impersonationprobe.control.ControlPlaneException;
import io.impersonationprobe.control.ControlPlaneListener;
import io.impersonationprobe.control.ControlPlanePoller;
import io.impersonationprobe.control.EwsAppDecision;
import io.impersonationprobe.control.EwsEnabled;
import io.impersonationprobe.control.OrganizationState;
import io.impersonationprobe.control.PropagationTracker.ChangeKind;
import io.impersonationprobe.control.Propagation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static io.impersonationprobe.metrics.MetricNames.ADMIN_POLLS;
import static io.impersonationprobe.metrics.MetricNames.ADMIN_UNREADABLE;
import static io.impersonationprobe.metrics.MetricNames.ORG_EWS_APP_DECISION;
import static io.impersonationprobe.metrics.MetricNames.ORG_EWS_ENABLED_STATE;
import static io.impersonationprobe.metrics.MetricNames.ADMIN_POLL_DURATION;
import static io.impersonationprobe.metrics.MetricNames.ADMIN_POLL_SUCCESS;
import static io.impersonationprobe.metrics.MetricNames.CONTROL_PLANE_EVENTS;
import static io.impersonationprobe.metrics.MetricNames.ORG_DEHYDRATED;
import static io.impersonationprobe.metrics.MetricNames.ORG_EWS_APP_ALLOWED;
import static io.impersonationprobe.metrics.MetricNames.ORG_EWS_ENABLED;
import static io.impersonationprobe.metrics.MetricNames.PREDICTIONS;
import static io.impersonationprobe.metrics.MetricNames.PROPAGATION_DELAY;
import static io.impersonationprobe.metrics.MetricNames.PROPAGATION_PENDING;
import static io.impersonationprobe.metrics.MetricNames.PROPAGATION_TARGETS;
import static io.impersonationprobe.metrics.MetricNames.ROLE_ASSIGNMENTS;

/**
 * The control plane's metrics: each poll's result, the organisation's EWS settings and the role assignments (present
 * after their first successful read), events, and how configured access compares with observed access over time.
 */
@ApplicationScoped
@Startup
public class ControlPlaneMetrics implements ControlPlaneListener {
    /** From the seconds of a demo to the day that Exchange Online's caching can take. */
    private static final Duration[] PROPAGATION_BUCKETS = {
            Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
            Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4), Duration.ofHours(8),
            Duration.ofHours(24)};

    private final OwnedMeters meters;
    private final MeterRegistry registry;
    private final ControlPlanePoller controlPlane;
    private final Map<PollKey, AtomicReference<double[]>> lastPolls = new ConcurrentHashMap<>();
    private final Set<String> organizationsPublished = ConcurrentHashMap.newKeySet();

    private record PollKey(String tenant, Poll poll) {
    }

    @Inject
    public ControlPlaneMetrics(OwnedMeters meters, ControlPlanePoller controlPlane, ValidatedConfig config) {
        this.meters = meters;
        this.registry = meters.registry();
        this.controlPlane = controlPlane;
        for (String tenant : config.tenants().keySet()) {
            if (!controlPlane.polls(tenant)) {
                continue;
            }
            meters.own(Gauge.builder(PROPAGATION_PENDING,
                            () -> controlPlane.propagationCounts(tenant).get(Propagation.PENDING))
                    .description("Targets whose configured access (Test-ServicePrincipalAuthorization) is not yet "
                            + "effective within the propagation window")
                    .tags("tenant", tenant).register(registry));
            for (Propagation state : Propagation.values()) {
                meters.own(Gauge.builder(PROPAGATION_TARGETS, () -> controlPlane.propagationCounts(tenant).get(state))
                        .description("Targets by how configured access compares with observed access (effective, "
                                + "pending, stuck, revoke_pending, mismatch)")
                        .tags("tenant", tenant, "state", state.label()).register(registry));
            }
            if (controlPlane.predicts(tenant)) {
                // On-premises Exchange has no organisation-wide EWS gate: grants are the only kind of change.
                propagationTimer(tenant, ChangeKind.GRANT);
                for (ConfiguredAccess.Decision decision : ConfiguredAccess.Decision.values()) {
                    String prediction = decision.name().toLowerCase(Locale.ROOT);
                    for (String agreement : ControlPlanePoller.AGREEMENTS) {
                        meters.own(Gauge.builder(PREDICTIONS, () -> controlPlane.predictionCounts(tenant)
                                        .get(prediction).get(agreement))
                                .description("On-premises targets by the access predicted from Active Directory "
                                        + "(allow, deny, unknown) and how their probes compare (agrees, pending within "
                                        + "the cache window, mismatch, unobserved)")
                                .tags("tenant", tenant, "prediction", prediction, "agreement", agreement)
                                .register(registry));
                    }
                }
            } else {
                for (ChangeKind kind : ChangeKind.values()) {
                    propagationTimer(tenant, kind);
                }
                // Tri-state EwsEnabled and the decision as state sets: one series per value, 1 for the current one.
                for (EwsEnabled value : EwsEnabled.values()) {
                    meters.own(Gauge.builder(ORG_EWS_ENABLED_STATE, () -> controlPlane.organization(tenant)
                                    .map(OrganizationState::ewsEnabled).orElse(EwsEnabled.UNKNOWN) == value ? 1 : 0)
                            .description("1 for the organisation's current EwsEnabled (true, false, null: not set, the "
                                    + "default; unknown: not read yet or unreadable), 0 for the others")
                            .tags("tenant", tenant, "state", value.label()).register(registry));
                }
                for (EwsAppDecision decision : EwsAppDecision.values()) {
                    meters.own(Gauge.builder(ORG_EWS_APP_DECISION, () -> controlPlane.organization(tenant)
                                    .map(OrganizationState::decision).orElse(EwsAppDecision.UNKNOWN) == decision ? 1 : 0)
                            .description("1 for what Exchange Online decides today for this daemon's app over EWS "
                                    + "(allowed, allowed_for_now under EwsEnabled $null, or the gate that blocks "
                                    + "it), 0 for the others")
                            .tags("tenant", tenant, "decision", decision.label()).register(registry));
                }
            }
            // Every poll, result and event type from the start, so that increase() sees the first of each.
            for (Poll poll : Poll.values()) {
                lastPoll(tenant, poll);
                polls(tenant, poll, "ok");
                for (ControlPlaneException.Failure failure : ControlPlaneException.Failure.values()) {
                    polls(tenant, poll, failure.label());
                }
                unreadable(tenant, poll);
            }
            for (ControlPlaneEvent.Type type : ControlPlaneEvent.Type.values()) {
                events(tenant, type);
            }
            for (String role : AccessConfiguration.MAILBOX_ROLES) {
                meters.own(Gauge.builder(ROLE_ASSIGNMENTS, () -> controlPlane.access(tenant)
                                .map(a -> (double) a.countByRole().getOrDefault(role, 0L)).orElse(Double.NaN))
                        .description("Enabled role assignments of a role that grants mailbox access, as the control "
                                + "plane reports them; NaN until the first read")
                        .tags("tenant", tenant, "role", role).register(registry));
            }
        }
    }

    /** The last poll's result and duration; NaN until the first poll. */
    private AtomicReference<double[]> lastPoll(String tenant, Poll poll) {
        return lastPolls.computeIfAbsent(new PollKey(tenant, poll), key -> {
            AtomicReference<double[]> last = new AtomicReference<>(new double[]{Double.NaN, Double.NaN});
            meters.own(Gauge.builder(ADMIN_POLL_SUCCESS, last, l -> l.get()[0])
                    .description("1 if the last poll of the control plane succeeded; NaN before the first")
                    .tags("tenant", tenant, "poll", poll.label()).strongReference(true).register(registry));
            meters.own(Gauge.builder(ADMIN_POLL_DURATION, last, l -> l.get()[1])
                    .description("How long the last poll of the control plane took")
                    .tags("tenant", tenant, "poll", poll.label()).strongReference(true).register(registry));
            return last;
        });
    }

    private Counter polls(String tenant, Poll poll, String result) {
        return meters.own(Counter.builder(ADMIN_POLLS)
                .description("Polls of the control plane, by result (ok or the failure class)")
                .tags("tenant", tenant, "poll", poll.label(), "result", result)
                .register(registry));
    }

    private Counter unreadable(String tenant, Poll poll) {
        return meters.own(Counter.builder(ADMIN_UNREADABLE)
                .description("Admin API answer properties read as unknown because they came in a form Exchange does "
                        + "not document (the log names each property once)")
                .tags("tenant", tenant, "poll", poll.label()).register(registry));
    }

    @Override
    public void unreadable(String tenant, Poll poll, int count) {
        unreadable(tenant, poll).increment(count);
    }

    private Counter events(String tenant, ControlPlaneEvent.Type type) {
        return meters.own(Counter.builder(CONTROL_PLANE_EVENTS)
                .description("Changes seen in role assignments and management scopes, by type")
                .tags("tenant", tenant, "type", type.label()).register(registry));
    }

    @Override
    public void polled(String tenant, Poll poll, ControlPlaneException.Failure failure, Duration took) {
        lastPoll(tenant, poll).set(new double[]{failure == null ? 1 : 0, took.toMillis() / 1000.0});
        polls(tenant, poll, failure == null ? "ok" : failure.label()).increment();
        if (failure == null && poll == Poll.ORGANIZATION_CONFIG && organizationsPublished.add(tenant)) {
            organization(tenant);
        }
    }

    /** The organisation's state, from its first successful read on; absent before. */
    private void organization(String tenant) {
        flag(tenant, ORG_DEHYDRATED, "1 if the Exchange Online organisation is dehydrated "
                + "(Enable-OrganizationCustomization has never run; role assignments cannot be created); NaN when "
                + "unreadable", OrganizationState::isDehydrated);
        flag(tenant, ORG_EWS_ENABLED, "1 if the organisation's EwsEnabled is True, 0 if False, NaN if not set ($null, "
                + "the default) or unreadable: impersonation_org_ews_enabled_state tells which",
                org -> org.ewsEnabled() == EwsEnabled.TRUE ? Boolean.TRUE
                        : org.ewsEnabled() == EwsEnabled.FALSE ? Boolean.FALSE : null);
        flag(tenant, ORG_EWS_APP_ALLOWED, "1 if the organisation's EWS settings (EwsEnabled, EwsAllowedAppIDs, "
                + "EwsApplicationAccessPolicy) let this daemon's app use EWS today, 0 if they block it, NaN when they "
                + "do not tell: impersonation_org_ews_app_decision says why", org -> org.decision().allows());
    }

    private void flag(String tenant, String name, String help, Function<OrganizationState, Boolean> value) {
        meters.own(Gauge.builder(name, () -> controlPlane.organization(tenant).map(value)
                        .map(known -> known ? 1.0 : 0.0).orElse(Double.NaN))
                .description(help).tags("tenant", tenant).register(registry));
    }

    @Override
    public void changed(ControlPlaneEvent event) {
        events(event.tenant(), event.type()).increment();
    }

    @Override
    public void tookEffect(String tenant, ChangeKind kind, Duration delay) {
        propagationTimer(tenant, kind).record(delay);
    }

    private Timer propagationTimer(String tenant, ChangeKind kind) {
        return meters.own(Timer.builder(PROPAGATION_DELAY)
                .description("Time from a change to the first probe that shows it, by kind: grant (a role assignment's "
                        + "WhenCreated to the first access it gives), ews-enabled and allow-list (the poll that saw "
                        + "the gate change to the first probe through or refused by it): the tenant's real propagation "
                        + "time")
                .tags("tenant", tenant, "kind", kind.label())
                .serviceLevelObjectives(PROPAGATION_BUCKETS)
                .register(registry));
    }
}
