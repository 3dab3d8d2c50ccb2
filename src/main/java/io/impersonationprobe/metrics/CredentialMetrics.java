package io.impersonationprobe.metrics;

import io.impersonationprobe.auth.TokenException;
import io.impersonationprobe.auth.TokenListener;
import io.impersonationprobe.config.ResolvedTenant;
import io.impersonationprobe.config.ValidatedConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import static io.impersonationprobe.metrics.MetricNames.CERTIFICATE_EXPIRY;
import static io.impersonationprobe.metrics.MetricNames.TOKEN_ACQUISITION;
import static io.impersonationprobe.metrics.MetricNames.TOKEN_EXPIRY;
import static io.impersonationprobe.metrics.MetricNames.TOKEN_REQUESTS;
import static io.impersonationprobe.metrics.OwnedMeters.epochSeconds;

/** Tokens and client certificates: what keeps the daemon able to authenticate. */
@ApplicationScoped
@Startup
public class CredentialMetrics implements TokenListener {
    private final OwnedMeters meters;
    private final MeterRegistry registry;
    private final Map<String, AtomicReference<Instant>> tokenExpiry = new ConcurrentHashMap<>();

    @Inject
    public CredentialMetrics(OwnedMeters meters, ValidatedConfig config) {
        this.meters = meters;
        this.registry = meters.registry();
        for (ResolvedTenant tenant : config.tenants().values()) {
            if (tenant.method().isOAuth()) {
                // Every result from the start, so that increase() sees the first failure; the expiry once known.
                requests(tenant.id(), "success");
                TokenException.errorClasses().forEach(result -> requests(tenant.id(), result));
                expiry(tenant.id());
            }
            if (tenant.certificate() != null) {
                double notAfter = epochSeconds(tenant.certificate().notAfter());
                meters.own(Gauge.builder(CERTIFICATE_EXPIRY, () -> notAfter)
                        .description("When the tenant's client certificate expires, in seconds since the epoch")
                        .tags("tenant", tenant.id())
                        .register(registry));
            }
        }
    }

    private Counter requests(String tenant, String result) {
        return meters.own(Counter.builder(TOKEN_REQUESTS)
                .description("Token requests sent to the identity provider (cache hits are not counted), by result")
                .tags("tenant", tenant, "result", result)
                .register(registry));
    }

    /** The tenant's current token expiry; NaN until the first token arrives. */
    private AtomicReference<Instant> expiry(String tenant) {
        return tokenExpiry.computeIfAbsent(tenant, t -> {
            AtomicReference<Instant> expiry = new AtomicReference<>();
            meters.own(Gauge.builder(TOKEN_EXPIRY, expiry, e -> e.get() == null ? Double.NaN : epochSeconds(e.get()))
                    .description("When the tenant's current access token expires, in seconds since the epoch")
                    .tags("tenant", t)
                    .strongReference(true)
                    .register(registry));
            return expiry;
        });
    }

    @Override
    public void tokenRequested(String tenant, String result, Duration took, Instant expiresAt) {
        requests(tenant, result).increment();
        meters.own(Timer.builder(TOKEN_ACQUISITION)
                .description("Duration of token requests sent to the identity provider")
                .tags("tenant", tenant)
                .serviceLevelObjectives(ProbeMetrics.DURATION_BUCKETS)
                .register(registry))
                .record(took);
        if (expiresAt != null) {
            expiry(tenant).set(expiresAt);
        }
    }
}
