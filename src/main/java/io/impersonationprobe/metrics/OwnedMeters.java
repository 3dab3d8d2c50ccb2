package io.impersonationprobe.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry, and the meters the daemon put in it, removed when the application stops. The registry outlives the
 * application in dev mode (live reload) and in tests; without this a restarted application would get back the old
 * meters, still bound to the stopped application's objects.
 */
@ApplicationScoped
public class OwnedMeters {
    private final MeterRegistry registry;
    private final Set<Meter> owned = ConcurrentHashMap.newKeySet();

    @Inject
    public OwnedMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    MeterRegistry registry() {
        return registry;
    }

    /** Remembers a meter just registered, and returns it. */
    <M extends Meter> M own(M meter) {
        owned.add(meter);
        return meter;
    }

    @PreDestroy
    void removeMeters() {
        owned.forEach(registry::remove);
        owned.clear();
    }

    static double epochSeconds(Instant instant) {
        return instant.toEpochMilli() / 1000.0;
    }
}
