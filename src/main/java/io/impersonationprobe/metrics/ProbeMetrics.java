package io.impersonationprobe.metrics;

import io.impersonationprobe.config.ResolvedTenant;
import io.impersonationprobe.config.TenantKind;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.probe.MigrationReadiness;
import io.impersonationprobe.probe.Outcome;
import io.impersonationprobe.probe.ProbeObserver;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.ResultStore;
import io.impersonationprobe.probe.TargetState;
import io.impersonationprobe.probe.TargetStatus;
import io.impersonationprobe.probe.Verdict;
import io.impersonationprobe.target.Expectation;
import io.impersonationprobe.target.PerMailboxSeries;
import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.TargetGroup;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

import static io.impersonationprobe.metrics.MetricNames.BACKOFF;
import static io.impersonationprobe.metrics.MetricNames.EWS_RETIREMENT;
import static io.impersonationprobe.metrics.MetricNames.MIGRATION_BLOCKERS;
import static io.impersonationprobe.metrics.MetricNames.PROBES;
import static io.impersonationprobe.metrics.MetricNames.PROBE_ACCESS_GRANTED;
import static io.impersonationprobe.metrics.MetricNames.PROBE_DURATION;
import static io.impersonationprobe.metrics.MetricNames.PROBE_LAST_RUN;
import static io.impersonationprobe.metrics.MetricNames.PROBE_LAST_SUCCESS;
import static io.impersonationprobe.metrics.MetricNames.PROBE_SUCCESS;
import static io.impersonationprobe.metrics.MetricNames.SCOPE_LEAKS;
import static io.impersonationprobe.metrics.MetricNames.SHARD_INDEX;
import static io.impersonationprobe.metrics.MetricNames.SHARD_REPLICAS;
import static io.impersonationprobe.metrics.MetricNames.TARGETS;
import static io.impersonationprobe.metrics.MetricNames.THROTTLED;
import static io.impersonationprobe.metrics.OwnedMeters.epochSeconds;

/** The scheduled probes' metrics: results per target and group, the estate's counts, shards and EWS retirement. */
@ApplicationScoped
@Startup
public class ProbeMetrics implements ProbeObserver {
    private static final Logger LOG = Logger.getLogger(ProbeMetrics.class);
    /** Buckets from a healthy EWS round trip (tens of ms) to the longest allowed probe timeout. */
    static final Duration[] DURATION_BUCKETS = {
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private final OwnedMeters meters;
    private final MeterRegistry registry;
    private final ResultStore store;
    /** Groups that publish series per mailbox; the others only group-level ones. */
    private final Set<String> groupsWithSeries = new HashSet<>();
    private final Set<SeriesKey> targetsWithRuns = ConcurrentHashMap.newKeySet();
    private final Set<SeriesKey> targetsWithSeries = ConcurrentHashMap.newKeySet();
    private final Set<SeriesKey> targetsWithSuccess = ConcurrentHashMap.newKeySet();
    /** A group's counter and timer for one probe kind and outcome, looked up once rather than built per probe. */
    private final Map<OutcomeKey, Counter> outcomeCounters = new ConcurrentHashMap<>();
    private final Map<OutcomeKey, Timer> outcomeTimers = new ConcurrentHashMap<>();

    private record OutcomeKey(String group, ProbeKind probe, Outcome outcome) {
    }

    private record SeriesKey(ProbeKind probe, String targetId) {
    }

    @Inject
    public ProbeMetrics(OwnedMeters meters, ResultStore store, ValidatedConfig config, MigrationReadiness readiness) {
        this.meters = meters;
        this.registry = meters.registry();
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
        meters.own(Gauge.builder(SHARD_REPLICAS, () -> config.shard().replicas())
                .description("How many replicas share the targets (impersonation.sharding.replicas)")
                .register(registry));
        meters.own(Gauge.builder(SHARD_INDEX, () -> config.shard().index())
                .description("This replica's index among them, 0 to replicas - 1")
                .register(registry));
        boolean exchangeOnline = false;
        for (ResolvedTenant tenant : config.tenants().values()) {
            throttled(tenant.id());
            backedOff(tenant.id());
            exchangeOnline |= tenant.kind() == TenantKind.EXCHANGE_ONLINE;
            if (readiness.measured(tenant.id())) {
                meters.own(Gauge.builder(MIGRATION_BLOCKERS, () -> readiness.blockers(tenant.id()))
                        .description("Targets of allow groups probed over EWS and Graph that the last scheduled probes "
                                + "reached over EWS but not over Graph: what the move from EWS would lose")
                        .tags("tenant", tenant.id())
                        .register(registry));
            }
        }
        if (exchangeOnline) {
            double retirement = epochSeconds(MigrationReadiness.EWS_RETIREMENT);
            meters.own(Gauge.builder(EWS_RETIREMENT, () -> retirement)
                    .description("When EWS in Exchange Online shuts down for good (2027-04-01, as announced), in seconds "
                            + "since the epoch")
                    .register(registry));
        }
        for (TargetGroup group : config.groups()) {
            if (group.expect() == Expectation.DENY) {
                meters.own(Gauge.builder(SCOPE_LEAKS, () -> store.scopeLeaks(group.name()))
                        .description("Targets of a deny group that the last scheduled probes could act as: scope leaks")
                        .tags("tenant", group.tenant(), "group", group.name())
                        .register(registry));
            }
            for (ProbeKind probe : group.probes()) {
                // Every outcome from the start, so that rate() and increase() see the first probe of each.
                for (Outcome outcome : Outcome.values()) {
                    outcomeCounter(group.tenant(), new OutcomeKey(group.name(), probe, outcome));
                }
                for (TargetState state : TargetState.values()) {
                    meters.own(Gauge.builder(TARGETS, () -> store.count(group.name(), probe, state))
                            .description("Targets of the group in each state (ok, failing, unknown) after the last "
                                    + "scheduled probe; always present")
                            .tags("tenant", group.tenant(), "group", group.name(), "probe", probe.label(),
                                    "state", state.label())
                            .register(registry));
                }
            }
        }
    }

    /** A probe counter per outcome from the start; the duration histogram only once an outcome occurs (14 series each). */
    private Counter outcomeCounter(String tenant, OutcomeKey key) {
        return outcomeCounters.computeIfAbsent(key, k -> meters.own(Counter.builder(PROBES)
                .description("Scheduled probes run, by outcome")
                .tags(outcomeTags(tenant, k))
                .register(registry)));
    }

    private Timer outcomeTimer(String tenant, OutcomeKey key) {
        return outcomeTimers.computeIfAbsent(key, k -> meters.own(Timer.builder(PROBE_DURATION)
                .description("Duration of scheduled probes, token acquisition included, by outcome")
                .tags(outcomeTags(tenant, k))
                .serviceLevelObjectives(DURATION_BUCKETS)
                .register(registry)));
    }

    private static Tags outcomeTags(String tenant, OutcomeKey key) {
        return Tags.of("tenant", tenant, "group", key.group(), "probe", key.probe().label(),
                "outcome", key.outcome().label());
    }

    private Counter throttled(String tenant) {
        return meters.own(Counter.builder(THROTTLED)
                .description("Scheduled probes that Exchange throttled")
                .tags("tenant", tenant)
                .register(registry));
    }

    private Counter backedOff(String tenant) {
        return meters.own(Counter.builder(BACKOFF)
                .description("Seconds a tenant's probes were paused because Exchange asked (BackOffMilliseconds, "
                        + "Retry-After)")
                .tags("tenant", tenant)
                .register(registry));
    }

    /** Publishes one scheduled probe's result. */
    @Override
    public void recorded(ProbeResult result, ProbeResult previous) {
        OutcomeKey outcome = new OutcomeKey(result.target().group(), result.probe(), result.outcome());
        outcomeCounter(result.target().tenant(), outcome).increment();
        outcomeTimer(result.target().tenant(), outcome).record(result.duration());
        if (result.outcome() == Outcome.THROTTLED) {
            throttled(result.target().tenant()).increment();
        }
        if (!groupsWithSeries.contains(result.target().group())) {
            return;
        }
        SeriesKey key = new SeriesKey(result.probe(), result.target().id());
        TargetStatus status = store.status(result.probe(), result.target().id());
        if (targetsWithRuns.add(key)) {
            gauge(PROBE_LAST_RUN, "When the last scheduled probe of the mailbox started, in seconds since the epoch",
                    status, s -> epochSeconds(s.last().startedAt()));
        }
        if (!result.outcome().isTransient() && targetsWithSeries.add(key)) {
            gauge(PROBE_SUCCESS, "1 if the last definite verdict of the scheduled probes matched the group's "
                    + "expectation (allow or deny); transient outcomes such as throttling do not change it", status,
                    s -> s.effective().success() ? 1 : 0);
            gauge(PROBE_ACCESS_GRANTED, "1 if the last definite verdict of the scheduled probes was that the daemon "
                    + "could act as the mailbox, 0 if it was refused or failed", status,
                    s -> s.effective().verdict() == Verdict.ALLOWED ? 1 : 0);
        }
        if (result.success() && targetsWithSuccess.add(key)) {
            gauge(PROBE_LAST_SUCCESS, "When a scheduled probe's verdict last matched the expectation, in seconds since "
                    + "the epoch; absent until it first does", status, s -> epochSeconds(s.lastSuccessAt()));
        }
    }

    /** A tenant's probes paused for this much longer because Exchange asked. */
    @Override
    public void backedOff(String tenant, ProbeKind probe, Duration added) {
        backedOff(tenant).increment(added.toMillis() / 1000.0);
    }

    private void gauge(String name, String help, TargetStatus status, ToDoubleFunction<TargetStatus> value) {
        Tags tags = Tags.of("tenant", status.target().tenant(), "group", status.target().group(),
                "mailbox", status.target().mailbox(), "probe", status.probe().label());
        meters.own(Gauge.builder(name, status, value).description(help).tags(tags).strongReference(true)
                .register(registry));
    }
}
