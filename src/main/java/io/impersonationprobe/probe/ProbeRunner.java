package io.impersonationprobe.probe;

import io.impersonationprobe.config.ProbeConfig;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Target;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one sequence every probe goes through: deadline, probe (which classifies), annotation with what the control
 * plane knows; for scheduled probes also back-off, the results store and the observers (metrics, propagation). The
 * scheduler, live checks and {@code /probe} all run probes here; live checks touch no results or metrics.
 */
@ApplicationScoped
public class ProbeRunner {
    private static final Logger LOG = Logger.getLogger(ProbeRunner.class);

    private final Map<ProbeKind, Probe> probes = new EnumMap<>(ProbeKind.class);
    private final List<RemediationContext> contexts;
    private final List<ProbeObserver> observers;
    private final ResultStore store;
    private final Clock clock;
    private final Duration timeout;
    /** One gate per tenant and probe kind: EWS and Graph are throttled separately. */
    private final Map<GateKey, BackoffGate> backoffs = new HashMap<>();

    private record GateKey(String tenant, ProbeKind probe) {
    }

    @Inject
    public ProbeRunner(ValidatedConfig config, ProbeConfig probeConfig, Instance<Probe> probes,
                       Instance<RemediationContext> contexts, Instance<ProbeObserver> observers, ResultStore store,
                       Clock clock) {
        probes.forEach(p -> this.probes.put(p.kind(), p));
        this.contexts = contexts.stream().toList();
        this.observers = observers.stream().toList();
        this.store = store;
        this.clock = clock;
        this.timeout = probeConfig.probe().timeout();
        for (String tenant : config.tenants().keySet()) {
            for (ProbeKind kind : this.probes.keySet()) {
                backoffs.put(new GateKey(tenant, kind), new BackoffGate(clock));
            }
        }
    }

    /** The probe kinds this daemon can run. */
    public Set<ProbeKind> kinds() {
        return probes.keySet();
    }

    /** A live check: a real probe now, traced and annotated; nothing is recorded and no back-off applies. */
    public ProbeResult check(ProbeKind kind, Target target, Duration timeout, Trace trace) {
        return annotate(probes.get(kind).probe(target, clock.instant().plus(timeout), trace));
    }

    /**
     * One scheduled probe: waits while the server asked for a pause, probes within the configured timeout, records the
     * result, tells the observers, and pauses the tenant's probes of this kind when the server asks.
     */
    public void scheduled(ProbeKind kind, Target target) throws InterruptedException {
        BackoffGate backoff = backoffs.get(new GateKey(target.tenant(), kind));
        backoff.awaitClearance();
        ProbeResult result = annotate(probes.get(kind).probe(target, clock.instant().plus(timeout), Trace.OFF));
        ProbeResult previous = store.record(result);
        for (ProbeObserver observer : observers) {
            observer.recorded(result, previous);
        }
        if (result.backOff() != null) {
            Duration added = backoff.pause(result.backOff());
            if (!added.isZero()) {
                observers.forEach(o -> o.backedOff(target.tenant(), kind, added));
                LOG.infof("Tenant %s: %s probes paused until %s as the server asked (%s)", target.tenant(),
                        kind.label(), backoff.pausedUntil(), result.detail());
            }
        }
    }

    private ProbeResult annotate(ProbeResult result) {
        for (RemediationContext context : contexts) {
            result = context.annotate(result);
        }
        return result;
    }

    /** Until when a tenant's probes of any kind wait, as the server asked; in the past when they do not. */
    public Instant pausedUntil(String tenant) {
        Instant latest = Instant.MIN;
        for (ProbeKind kind : probes.keySet()) {
            Instant until = pausedUntil(tenant, kind);
            latest = until.isAfter(latest) ? until : latest;
        }
        return latest;
    }

    /** Until when a tenant's probes of one kind wait, as the server asked; in the past when they do not. */
    public Instant pausedUntil(String tenant, ProbeKind kind) {
        BackoffGate gate = backoffs.get(new GateKey(tenant, kind));
        return gate == null ? Instant.MIN : gate.pausedUntil();
    }
}
