package io.impersonationprobe.metrics;

import io.impersonationprobe.auth.TokenListener;
import io.impersonationprobe.config.ResolvedTenant;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.config.Expectation;
import io.impersonationprobe.config.TenantKind;
import io.impersonationprobe.probe.MigrationReadiness;
import io.impersonationprobe.config.PerMailboxSeries;
import io.impersonationprobe.probe.Outcome;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.ResultStore;
import io.impersonationprobe.probe.TargetState;
import io.impersonationprobe.probe.TargetStatus;
import io.impersonationprobe.probe.Verdict;
import io.impersonationprobe.target.TargetGroup;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.ToDoubleFunction;

/**
 * The one place that knows every metric name. Names are a public interface (dashboards, alerts and users' queries
 * depend on them): Micrometer writes {@code impersonation.probes} as {@code impersonation_probes_total} and a timer
 * {@code impersonation.probe.duration} as the histogram {@code impersonation_probe_duration_seconds}.
 */
@ApplicationScoped
public class ProbeMetrics implements TokenListener {
    static final String PROBE_SUCCESS = "impersonation.probe.success";
    static final String PROBE_ACCESS_GRANTED = "impersonation.probe.access.granted";
    static final String PROBE_LAST_RUN = "impersonation.probe.last.run.timestamp.seconds";
    static final String PROBE_LAST_SUCCESS = "impersonation.probe.last.success.timestamp.seconds";
    static final String PROBE_DURATION = "impersonation.probe.duration";
    static final String PROBES = "impersonation.probes";
    static final String TARGETS = "impersonation.targets";
    static final String SCOPE_LEAKS = "impersonation.scope.leaks";
    static final String THROTTLED = "impersonation.throttled";
    static final String BACKOFF = "impersonation.backoff.seconds";
    static final String CERTIFICATE_EXPIRY = "impersonation.client.certificate.expiry.timestamp.seconds";
    static final String ORG_DEHYDRATED = "impersonation.org.dehydrated";
    static final String ORG_EWS_ENABLED = "impersonation.org.ews.enabled";
    static final String ORG_EWS_APP_ALLOWED = "impersonation.org.ews.app.allowed";
    static final String ADMIN_POLL_SUCCESS = "impersonation.admin.poll.success";
    static final String ADMIN_POLL_DURATION = "impersonation.admin.poll.duration.seconds";
    static final String ADMIN_POLLS = "impersonation.admin.polls";
    static final String ROLE_ASSIGNMENTS = "impersonation.role.assignments";
    static final String CONTROL_PLANE_EVENTS = "impersonation.control.plane.events";
    static final String PROPAGATION_PENDING = "impersonation.propagation.pending";
    static final String PROPAGATION_TARGETS = "impersonation.propagation.targets";
    static final String PROPAGATION_DELAY = "impersonation.propagation.delay";
    static final String SHARD_REPLICAS = "impersonation.shard.replicas";
    static final String SHARD_INDEX = "impersonation.shard.index";
    static final String MIGRATION_BLOCKERS = "impersonation.migration.blockers";
    static final String EWS_RETIREMENT = "impersonation.ews.retirement.timestamp.seconds";

    /** From the seconds of a demo to the day that Exchange Online's caching can take. */
    private static final Duration[] PROPAGATION_BUCKETS = {
            Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
            Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4), Duration.ofHours(8),
            Duration.ofHours(24)};
    static final String TOKEN_REQUESTS = "impersonation.token.requests";
    static final String TOKEN_ACQUISITION = "impersonation.token.acquisition.duration";
    static final String TOKEN_EXPIRY = "impersonation.token.expiry.timestamp.seconds";

    /** Buckets from a healthy EWS round trip (tens of ms) to the longest allowed probe timeout. */
    private static final Duration[] DURATION_BUCKETS = {
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private final MeterRegistry registry;
    private final Set<Meter> owned = ConcurrentHashMap.newKeySet();
    private final ResultStore store;
    private static final Logger LOG = Logger.getLogger(ProbeMetrics.class);
    /** Groups that publish series per mailbox; the others only group-level ones. */
    private final Set<String> groupsWithSeries = new HashSet<>();
    private final Set<String> targetsWithRuns = ConcurrentHashMap.newKeySet();
    private final Set<String> targetsWithSeries = ConcurrentHashMap.newKeySet();
    private final Set<String> targetsWithSuccess = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicReference<Instant>> tokenExpiry = new ConcurrentHashMap<>();
    private final Map<String, AtomicReference<double[]>> adminPolls = new ConcurrentHashMap<>();

    @Inject
    public ProbeMetrics(MeterRegistry registry, ResultStore store, ValidatedConfig config, MigrationReadiness readiness) {
        this.registry = registry;
        this.store = store;
        List<String> withoutSeries = new ArrayList<>();
        for (TargetGroup group : config.groups()) {
            if (config.perMailboxSeries(group)) {
                groupsWithSeries.add(group.name());
            } else if (group.perMailboxSeries() == PerMailboxSeries.AUTO) {
                withoutSeries.add(group.name());
            }
        }
        if (!withoutSeries.isEmpty()) {
            LOG.infof("%d targets exceed impersonation.metrics.per-mailbox-limit=%d: group(s) %s publish no series per "
                    + "mailbox; impersonation_targets counts them by state and /api/v1/targets lists them (set "
                    + "impersonation.groups.<name>.per-mailbox-series=true for canaries)", config.targetCount(),
                    config.perMailboxLimit(), String.join(", ", withoutSeries));
        }
        // With every replica publishing the count, count(impersonation_shard_replicas) below it shows a missing shard.
        own(Gauge.builder(SHARD_REPLICAS, () -> config.shard().replicas())
                .description("How many replicas share the targets (impersonation.sharding.replicas)")
                .register(registry));
        own(Gauge.builder(SHARD_INDEX, () -> config.shard().index())
                .description("This replica's index among them, 0 to replicas - 1")
                .register(registry));
        for (ResolvedTenant tenant : config.tenants().values()) {
            if (tenant.certificate() != null) {
                double notAfter = epochSeconds(tenant.certificate().notAfter());
                own(Gauge.builder(CERTIFICATE_EXPIRY, () -> notAfter)
                        .description("When the tenant's client certificate expires, in seconds since the epoch")
                        .tags("tenant", tenant.id())
                        .register(registry));
            }
        }
        boolean exchangeOnline = false;
        for (ResolvedTenant tenant : config.tenants().values()) {
            exchangeOnline |= tenant.kind() == TenantKind.EXCHANGE_ONLINE;
            if (readiness.measured(tenant.id())) {
                own(Gauge.builder(MIGRATION_BLOCKERS, () -> readiness.blockers(tenant.id()))
                        .description("Targets of allow groups probed over EWS and Graph that the last scheduled probes "
                                + "reached over EWS but not over Graph: what the move from EWS would lose")
                        .tags("tenant", tenant.id())
                        .register(registry));
            }
        }
        if (exchangeOnline) {
            double retirement = epochSeconds(MigrationReadiness.EWS_RETIREMENT);
            own(Gauge.builder(EWS_RETIREMENT, () -> retirement)
                    .description("When EWS in Exchange Online shuts down for good (2027-04-01, as announced), in seconds "
                            + "since the epoch")
                    .register(registry));
        }
        for (TargetGroup group : config.groups()) {
            if (group.expect() == Expectation.DENY) {
                own(Gauge.builder(SCOPE_LEAKS, () -> store.scopeLeaks(group.name()))
                        .description("Targets of a deny group that the last scheduled probes could act as: scope leaks")
                        .tags("tenant", group.tenant(), "group", group.name())
                        .register(registry));
            }
            for (String probe : group.probes()) {
                for (TargetState state : TargetState.values()) {
                    own(Gauge.builder(TARGETS, () -> store.count(group.name(), probe, state))
                            .description("Targets of the group in each state (ok, failing, unknown) after the last "
                                    + "scheduled probe; always present")
                            .tags("tenant", group.tenant(), "group", group.name(), "probe", probe, "state", state.label())
                            .register(registry));
                }
            }
        }
    }

    /** A group's counter and timer for one probe kind and outcome, looked up once rather than built per probe. */
    private record OutcomeMeters(Counter probes, Timer duration) {
    }

    private record OutcomeKey(String group, String probe, Outcome outcome) {
    }

    private final Map<OutcomeKey, OutcomeMeters> outcomeMeters = new ConcurrentHashMap<>();

    /** Publishes one scheduled probe's result. */
    public void record(ProbeResult result) {
        OutcomeMeters meters = outcomeMeters.computeIfAbsent(
                new OutcomeKey(result.target().group(), result.probe(), result.outcome()), key -> {
                    Tags groupTags = Tags.of("tenant", result.target().tenant(), "group", key.group(),
                            "probe", key.probe(), "outcome", key.outcome().label());
                    return new OutcomeMeters(own(Counter.builder(PROBES)
                            .description("Scheduled probes run, by outcome")
                            .tags(groupTags)
                            .register(registry)),
                            own(Timer.builder(PROBE_DURATION)
                                    .description("Duration of scheduled probes, token acquisition included, by outcome")
                                    .tags(groupTags)
                                    .serviceLevelObjectives(DURATION_BUCKETS)
                                    .register(registry)));
                });
        meters.probes().increment();
        meters.duration().record(result.duration());
        if (result.outcome() == Outcome.THROTTLED) {
            own(Counter.builder(THROTTLED)
                    .description("Scheduled probes that Exchange throttled")
                    .tags("tenant", result.target().tenant())
                    .register(registry))
                    .increment();
        }
        if (!groupsWithSeries.contains(result.target().group())) {
            return;
        }
        String key = result.probe() + "/" + result.target().id();
        TargetStatus status = store.status(result.probe(), result.target().id());
        if (targetsWithRuns.add(key)) {
            gauge(PROBE_LAST_RUN, "When the last scheduled probe of the mailbox started, in seconds since the epoch",
                    targetTags(status, result.probe()), status, s -> epochSeconds(s.last().startedAt()));
        }
        if (!result.outcome().isTransient() && targetsWithSeries.add(key)) {
            registerVerdictGauges(status, result.probe());
        }
        if (result.success() && targetsWithSuccess.add(key)) {
            gauge(PROBE_LAST_SUCCESS, "When a scheduled probe's verdict last matched the expectation, in seconds since "
                    + "the epoch; absent until it first does", targetTags(status, result.probe()), status,
                    s -> epochSeconds(s.lastSuccessAt()));
        }
    }

    @Override
    public void tokenRequested(String tenant, String result, Duration took, Instant expiresAt) {
        own(Counter.builder(TOKEN_REQUESTS)
                .description("Token requests sent to the identity provider (cache hits are not counted), by result")
                .tags("tenant", tenant, "result", result)
                .register(registry))
                .increment();
        own(Timer.builder(TOKEN_ACQUISITION)
                .description("Duration of token requests sent to the identity provider")
                .tags("tenant", tenant)
                .serviceLevelObjectives(DURATION_BUCKETS)
                .register(registry))
                .record(took);
        if (expiresAt != null) {
            tokenExpiry.computeIfAbsent(tenant, t -> {
                AtomicReference<Instant> expiry = new AtomicReference<>();
                own(Gauge.builder(TOKEN_EXPIRY, expiry, e -> epochSeconds(e.get()))
                        .description("When the tenant's current access token expires, in seconds since the epoch")
                        .tags("tenant", t)
                        .strongReference(true)
                        .register(registry));
                return expiry;
            }).set(expiresAt);
        }
    }

    /** Present from the first definite result on; a transient outcome (throttling) leaves them as they were. */
    private void registerVerdictGauges(TargetStatus status, String probe) {
        Tags tags = targetTags(status, probe);
        gauge(PROBE_SUCCESS, "1 if the last definite verdict of the scheduled probes matched the group's expectation "
                + "(allow or deny); transient outcomes such as throttling do not change it", tags, status,
                s -> s.effective().success() ? 1 : 0);
        gauge(PROBE_ACCESS_GRANTED, "1 if the last definite verdict of the scheduled probes was that the daemon could "
                + "act as the mailbox, 0 if it was refused or failed", tags, status,
                s -> s.effective().verdict() == Verdict.ALLOWED ? 1 : 0);
    }

    /** Publishes a tenant's organisation state; called once, after its first successful poll. Absent before. */
    public void organization(String tenant, BooleanSupplier dehydrated, BooleanSupplier ewsEnabled, BooleanSupplier appAllowed) {
        own(Gauge.builder(ORG_DEHYDRATED, () -> dehydrated.getAsBoolean() ? 1 : 0)
                .description("1 if the Exchange Online organisation is dehydrated (Enable-OrganizationCustomization "
                        + "has never run; role assignments cannot be created)")
                .tags("tenant", tenant).register(registry));
        own(Gauge.builder(ORG_EWS_ENABLED, () -> ewsEnabled.getAsBoolean() ? 1 : 0)
                .description("1 if EWS is enabled for the Exchange Online organisation (EwsEnabled)")
                .tags("tenant", tenant).register(registry));
        own(Gauge.builder(ORG_EWS_APP_ALLOWED, () -> appAllowed.getAsBoolean() ? 1 : 0)
                .description("1 if the organisation's EWS settings (EwsEnabled, EwsAllowedAppIDs) let this daemon's app use EWS")
                .tags("tenant", tenant).register(registry));
    }

    /** Publishes, per mailbox role, how many enabled assignments grant it; called after the first successful read. */
    public void roleAssignments(String tenant, Set<String> roles, java.util.function.ToLongFunction<String> count) {
        for (String role : roles) {
            own(Gauge.builder(ROLE_ASSIGNMENTS, () -> count.applyAsLong(role))
                    .description("Enabled role assignments of a role that grants mailbox access, as the admin API reports them")
                    .tags("tenant", tenant, "role", role).register(registry));
        }
    }

    /**
     * The propagation meters of a tenant whose control plane is polled; present from startup.
     *
     * @param count targets in a state (by its label), among those whose configured and observed access are known
     */
    public void propagation(String tenant, List<String> states, java.util.function.ToLongFunction<String> count) {
        own(Gauge.builder(PROPAGATION_PENDING, () -> count.applyAsLong("pending"))
                .description("Targets whose configured access (Test-ServicePrincipalAuthorization) is not yet effective "
                        + "within the propagation window")
                .tags("tenant", tenant).register(registry));
        for (String state : states) {
            own(Gauge.builder(PROPAGATION_TARGETS, () -> count.applyAsLong(state))
                    .description("Targets by how configured access compares with observed access (effective, pending, "
                            + "stuck, revoke_pending)")
                    .tags("tenant", tenant, "state", state).register(registry));
        }
        propagationTimer(tenant);
    }

    /** A new role assignment's time from WhenCreated to the first successful probe of a mailbox it covers. */
    public void propagationDelay(String tenant, Duration delay) {
        propagationTimer(tenant).record(delay);
    }

    private Timer propagationTimer(String tenant) {
        return own(Timer.builder(PROPAGATION_DELAY)
                .description("Time from a role assignment's creation (WhenCreated) to the first successful probe of a "
                        + "mailbox it covers: the tenant's real propagation time")
                .tags("tenant", tenant)
                .serviceLevelObjectives(PROPAGATION_BUCKETS)
                .register(registry));
    }

    /** Counts a change in who may act as mailboxes. */
    public void controlPlaneEvent(String tenant, String type) {
        own(Counter.builder(CONTROL_PLANE_EVENTS)
                .description("Changes seen in role assignments and management scopes, by type")
                .tags("tenant", tenant, "type", type).register(registry))
                .increment();
    }

    /**
     * Records one admin API poll.
     *
     * @param failure the failure class, or null on success
     */
    public void adminPoll(String tenant, String poll, String failure, Duration took) {
        adminPolls.computeIfAbsent(tenant + "/" + poll, key -> {
            AtomicReference<double[]> last = new AtomicReference<>(new double[]{Double.NaN, Double.NaN});
            own(Gauge.builder(ADMIN_POLL_SUCCESS, last, l -> l.get()[0])
                    .description("1 if the last poll of the Exchange Online admin API succeeded")
                    .tags("tenant", tenant, "poll", poll).strongReference(true).register(registry));
            own(Gauge.builder(ADMIN_POLL_DURATION, last, l -> l.get()[1])
                    .description("How long the last poll of the Exchange Online admin API took")
                    .tags("tenant", tenant, "poll", poll).strongReference(true).register(registry));
            return last;
        }).set(new double[]{failure == null ? 1 : 0, took.toMillis() / 1000.0});
        own(Counter.builder(ADMIN_POLLS)
                .description("Polls of the Exchange Online admin API, by result (ok or the failure class)")
                .tags("tenant", tenant, "poll", poll, "result", failure == null ? "ok" : failure)
                .register(registry))
                .increment();
    }

    /** A tenant's probes paused for this much longer because Exchange asked. */
    public void backedOff(String tenant, Duration added) {
        own(Counter.builder(BACKOFF)
                .description("Seconds a tenant's probes were paused because Exchange asked (BackOffMilliseconds, Retry-After)")
                .tags("tenant", tenant)
                .register(registry))
                .increment(added.toMillis() / 1000.0);
    }

    private static Tags targetTags(TargetStatus status, String probe) {
        return Tags.of("tenant", status.target().tenant(), "group", status.target().group(),
                "mailbox", status.target().mailbox(), "probe", probe);
    }

    private void gauge(String name, String help, Tags tags, TargetStatus status, ToDoubleFunction<TargetStatus> value) {
        own(Gauge.builder(name, status, value).description(help).tags(tags).strongReference(true).register(registry));
    }

    /**
     * Remembers a meter so that it is removed when the application stops. The registry outlives the application in
     * dev mode (live reload) and in tests; without this a restarted application would get back the old meters,
     * still bound to the stopped application's objects.
     */
    private <M extends Meter> M own(M meter) {
        owned.add(meter);
        return meter;
    }

    @PreDestroy
    void removeMeters() {
        owned.forEach(registry::remove);
        owned.clear();
        outcomeMeters.clear();
    }

    private static double epochSeconds(Instant instant) {
        return instant.toEpochMilli() / 1000.0;
    }
}
