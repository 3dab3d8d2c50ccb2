package io.impersonationprobe.ews;

import io.impersonationprobe.auth.CredentialRegistry;
import io.impersonationprobe.config.ProbeConfig;
import io.impersonationprobe.config.ResolvedTenant;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.probe.Probe;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.Trace;
import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Target;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Proves EWS impersonation of one mailbox: a {@code GetFolder} of one well-known folder with {@code IdOnly}, sent
 * with the {@code ExchangeImpersonation} SOAP header (SMTP address) and the {@code X-AnchorMailbox} HTTP header that
 * Exchange Online needs to route it. It reads a folder ID and never mail. Each tenant has its own
 * {@link EwsEndpoint}.
 */
@ApplicationScoped
public class EwsProbe implements Probe {
    private static final Logger LOG = Logger.getLogger(EwsProbe.class);

    private final Map<String, EwsEndpoint> tenants = new HashMap<>();
    private final ScheduledExecutorService watchdogs = watchdogs();

    @Inject
    public EwsProbe(ValidatedConfig config, ProbeConfig probeConfig, CredentialRegistry credentials, Clock clock) {
        int liveChecks = probeConfig.api().checks().maxConcurrent();
        for (ResolvedTenant tenant : config.tenants().values()) {
            // Live checks get connections of their own, so they never wait for (or hold up) a scheduled probe's.
            int connections = tenant.config().concurrency() + liveChecks;
            tenants.put(tenant.id(), new EwsEndpoint(tenant.kind(), tenant.config().ewsUrl(),
                    new EwsHttpClient(connections, tenant.sslContext()), credentials.ews(tenant.id()), config.folder(),
                    watchdogs, clock));
        }
    }

    /**
     * One timer thread for every probe's deadline. A cancelled deadline leaves the queue at once: otherwise every
     * answered probe would keep its task there for the whole timeout, tens of thousands of them in a large estate.
     */
    static ScheduledExecutorService watchdogs() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "ews-probe-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    @Override
    public ProbeKind kind() {
        return ProbeKind.EWS;
    }

    @Override
    public ProbeResult probe(Target target, Instant deadline, Trace trace) {
        return tenants.get(target.tenant()).probe(target, deadline, trace);
    }

    @PreDestroy
    void close() {
        watchdogs.shutdownNow();
        for (EwsEndpoint tenant : tenants.values()) {
            try {
                tenant.close();
            } catch (IOException e) {
                LOG.debug("closing EWS client", e);
            }
        }
    }
}
