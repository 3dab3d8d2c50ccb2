package io.impersonationprobe.probe;

import io.impersonationprobe.config.ProbeConfig;
import io.impersonationprobe.config.ResolvedTenant;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Target;
import io.impersonationprobe.target.TargetGroup;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Runs every group's probe cycle at its interval. A cycle probes each target of the group once with each of its probe
 * kinds through the {@link ProbeRunner}; a group's next cycle is skipped while the previous one still runs, so cycles
 * never overlap. Probes run on a fixed pool per tenant sized to the tenant's concurrency, so one slow or failing
 * tenant only ever waits on its own threads.
 */
@ApplicationScoped
public class ProbeScheduler {
    private static final Logger LOG = Logger.getLogger(ProbeScheduler.class);

    private final ValidatedConfig config;
    private final ProbeConfig probeConfig;
    private final ProbeRunner runner;
    private final Scheduler scheduler;
    private final Map<String, ExecutorService> tenantPools = new HashMap<>();
    private final Map<String, GroupProgress> progress = new HashMap<>();

    @Inject
    public ProbeScheduler(ValidatedConfig config, ProbeConfig probeConfig, ProbeRunner runner, Scheduler scheduler) {
        this.config = config;
        this.probeConfig = probeConfig;
        this.runner = runner;
        this.scheduler = scheduler;
        for (ResolvedTenant tenant : config.tenants().values()) {
            tenantPools.put(tenant.id(), pool(tenant.id(), tenant.config().concurrency()));
        }
        for (TargetGroup group : config.groups()) {
            progress.put(group.name(), new GroupProgress());
        }
    }

    void start(@Observes StartupEvent event) {
        for (TargetGroup group : config.groups()) {
            long maxJitter = (long) (group.interval().toMillis() * probeConfig.scheduler().jitter());
            long delay = maxJitter == 0 ? 0 : ThreadLocalRandom.current().nextLong(maxJitter + 1);
            scheduler.newJob("probe-group-" + group.name())
                    .setInterval(group.interval().toMillis() + "ms")
                    .setDelayed(delay + "ms")
                    .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                    .setAsyncTask(execution -> Uni.createFrom().completionStage(runCycle(group)))
                    .schedule();
            LOG.infof("Group %s: %d target(s) of tenant %s, expect %s, probes %s, every %s (first cycle in %d ms)",
                    group.name(), group.targets().size(), group.tenant(), group.expect().label(),
                    group.probes().stream().map(ProbeKind::label).collect(Collectors.joining(",")), group.interval(),
                    delay);
        }
    }

    /**
     * Probes every target of the group once with each of the group's probe kinds; completes when all have answered.
     * Never completes exceptionally.
     */
    public CompletableFuture<Void> runCycle(TargetGroup group) {
        GroupProgress groupProgress = progress.get(group.name());
        groupProgress.started();
        ExecutorService pool = tenantPools.get(group.tenant());
        CompletableFuture<?>[] runs = new CompletableFuture<?>[group.targets().size() * group.probes().size()];
        int i = 0;
        for (Target target : group.targets()) {
            for (ProbeKind kind : group.probes()) {
                runs[i++] = CompletableFuture.runAsync(() -> probeOnce(kind, target), pool);
            }
        }
        return CompletableFuture.allOf(runs)
                .handle((ok, error) -> {
                    if (error != null) {
                        LOG.errorf(error, "Cycle of group %s ended with an error", group.name());
                    }
                    groupProgress.finished();
                    return null;
                });
    }

    private void probeOnce(ProbeKind kind, Target target) {
        try {
            runner.scheduled(kind, target);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Each group's progress, by name. */
    public Map<String, GroupProgress> progress() {
        return Map.copyOf(progress);
    }

    void stop(@Observes ShutdownEvent event) {
        tenantPools.values().forEach(ExecutorService::shutdownNow);
    }

    private static ExecutorService pool(String tenant, int threads) {
        AtomicInteger count = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread thread = new Thread(r, "probe-" + tenant + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** How many cycles of a group have started and finished; read by the readiness check and the tests. */
    public static final class GroupProgress {
        private final AtomicInteger started = new AtomicInteger();
        private final AtomicInteger completed = new AtomicInteger();

        void started() {
            started.incrementAndGet();
        }

        void finished() {
            completed.incrementAndGet();
        }

        public int startedCycles() {
            return started.get();
        }

        public int completedCycles() {
            return completed.get();
        }
    }
}
