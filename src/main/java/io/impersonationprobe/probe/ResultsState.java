package io.impersonationprobe.probe;

import io.impersonationprobe.config.ProbeConfig;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.state.StateDirectory;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Keeps the targets' recent results in the state directory, one document per tenant: taken back at startup before
 * the first probe, written at the configured interval and when the daemon stops.
 */
@ApplicationScoped
public class ResultsState {
    private static final Logger LOG = Logger.getLogger(ResultsState.class);

    private final ValidatedConfig config;
    private final ProbeConfig probeConfig;
    private final ResultStore store;
    private final StateDirectory directory;
    private final Scheduler scheduler;

    /** The targets' results of one tenant, as saved. */
    public record Document(List<TargetStatus.Snapshot> statuses) {
    }

    @Inject
    public ResultsState(ValidatedConfig config, ProbeConfig probeConfig, ResultStore store, StateDirectory directory,
                        Scheduler scheduler) {
        this.config = config;
        this.probeConfig = probeConfig;
        this.store = store;
        this.directory = directory;
        this.scheduler = scheduler;
    }

    /** Before the scheduler's first cycle (which observes the same event at the default priority). */
    void restore(@Observes @Priority(1000) StartupEvent event) {
        if (!directory.enabled()) {
            return;
        }
        for (String tenant : config.tenants().keySet()) {
            directory.read(name(tenant), Document.class).ifPresent(saved -> {
                int restored = store.restore(saved.data().statuses());
                LOG.infof("Tenant %s: %d target result(s) restored from the state saved %s", tenant, restored,
                        saved.savedAt());
            });
        }
        scheduler.newJob("save-results")
                .setInterval(probeConfig.state().saveInterval().toMillis() + "ms")
                .setDelayed(probeConfig.state().saveInterval().toMillis() + "ms")
                .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                .setTask(execution -> save())
                .schedule();
    }

    void stop(@Observes ShutdownEvent event) {
        save();
    }

    /** Writes every tenant's results now. */
    public void save() {
        if (!directory.enabled()) {
            return;
        }
        for (String tenant : config.tenants().keySet()) {
            directory.write(name(tenant), new Document(store.snapshot(tenant)));
        }
    }

    private static String name(String tenant) {
        return "results-" + tenant;
    }
}
