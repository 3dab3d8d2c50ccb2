package io.impersonationprobe.config;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

import java.util.List;

/** Validates the configuration while the application starts, so a bad one stops startup instead of probing wrong. */
@ApplicationScoped
public class ConfigProducer {
    private static final Logger LOG = Logger.getLogger(ConfigProducer.class);

    @Produces
    @Singleton
    @Startup
    ValidatedConfig validatedConfig(ProbeConfig config) {
        ValidatedConfig all = ConfigValidator.validate(config, System.getenv("HOSTNAME"));
        // Everything downstream (scheduler, results, readiness, metrics, control plane) sees only this replica's share.
        ValidatedConfig mine = all.ownShare();
        if (mine.shard().replicas() > 1) {
            List<String> tenants = mine.tenants().values().stream().filter(mine::pollsControlPlane)
                    .map(ResolvedTenant::id).sorted().toList();
            LOG.infof("Sharding: %s probes %d of %d target(s); polls the control plane of %s", mine.shard(),
                    mine.targetCount(), all.targetCount(), tenants.isEmpty() ? "no tenant" : String.join(", ", tenants));
        }
        return mine;
    }
}
