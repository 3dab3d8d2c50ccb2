package io.impersonationprobe;

import io.impersonationprobe.config.Secret;
import io.impersonationprobe.simulator.OnPremisesDemo;
import io.impersonationprobe.simulator.Simulator;
import io.impersonationprobe.simulator.SimulatorOptions;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Starts the built-in simulated Exchange Online tenant inside the daemon when {@code simulator.enabled=true}, before
 * the first probe, and says where it listens. The only class of the daemon that knows the simulator.
 */
@ApplicationScoped
public class SimulatorLauncher {
    /** The profiles the simulator is meant for; anywhere else it is a hazard and says so. */
    static final Set<String> SIMULATOR_PROFILES = Set.of("demo", "dev", "test", "simulator");
    private static final Logger LOG = Logger.getLogger(SimulatorLauncher.class);

    private final Settings settings;
    private Simulator simulator;

    /** The built-in simulated Exchange Online tenant: off by default, on in the demo, dev and simulator profiles. */
    @ConfigMapping(prefix = "simulator")
    public interface Settings {
        /** Starts the simulated tenant on its own HTTP listener. */
        @WithDefault("false")
        boolean enabled();

        /** Address the simulator listens on. Keep it on loopback: it hands out tokens to anyone who asks. */
        @WithDefault("127.0.0.1")
        String host();

        /** Port the simulator listens on; 0 takes a free one (the startup log says which). */
        @WithDefault("8089")
        int port();

        /**
         * How long a new role assignment takes to grant access, and a removed one to stop granting it (Exchange Online
         * caches grants for 30 min to 2 h). The demo uses seconds so the picture moves.
         */
        @WithDefault("0s")
        Duration propagationDelay();

        /**
         * How long a change of the organisation's {@code EwsEnabled} takes to be enforced by EWS (Exchange Online
         * documents about an hour); Get-OrganizationConfig reads the change back at once. The demo uses seconds.
         */
        @WithDefault("1h")
        Duration ewsEnabledPropagationDelay();

        /**
         * How long a change of {@code EwsAllowedAppIDs} takes to be enforced by EWS (Exchange Online documents up to
         * 24 hours); Get-OrganizationConfig reads the change back at once. The demo uses seconds.
         */
        @WithDefault("24h")
        Duration allowListPropagationDelay();

        /** Port of the on-premises tenant's LDAP directory (plain LDAP on the simulator's address); 0 takes a free one. */
        @WithDefault("8389")
        int ldapPort();

        /**
         * How long a change in the on-premises directory (role assignments, scopes, group membership) takes to reach
         * the simulated EWS's decisions (Exchange caches a caller's RBAC view for 5 minutes). The demo uses seconds.
         */
        @WithDefault("0s")
        Duration onPremisesCacheDelay();

        /** Lifetime of the access tokens the simulated token endpoint issues. */
        @WithDefault("1h")
        Duration tokenLifetime();

        /**
         * A folder holding Microsoft's EWS schema ({@code Messages.xsd}, {@code Types.xsd}). When it exists, every EWS
         * request is validated against it and an invalid one gets {@code ErrorSchemaValidation}, as from a real server.
         */
        Optional<Path> schemaDir();

        /** An HTTPS listener beside the plain one, to meet the daemon over real TLS (for example a self-signed certificate). */
        Tls tls();

        interface Tls {
            /** Port of the HTTPS listener; it starts only when a key store is set. */
            @WithDefault("8443")
            int port();

            /** A PKCS12 key store with the server's certificate and private key. */
            Optional<Path> keyStore();

            /** The key store's password. */
            Optional<Secret> keyStorePassword();
        }
    }

    SimulatorLauncher(Settings settings) {
        this.settings = settings;
    }

    void start(@Observes @Priority(1) StartupEvent event) {
        if (!settings.enabled()) {
            return;
        }
        warning(ConfigUtils.getProfiles()).ifPresent(LOG::warn);
        SimulatorOptions options = SimulatorOptions.defaults()
                .withHost(settings.host())
                .withPort(settings.port())
                .withPropagationDelay(settings.propagationDelay())
                .withEwsEnabledDelay(settings.ewsEnabledPropagationDelay())
                .withAllowListDelay(settings.allowListPropagationDelay())
                .withLdapPort(settings.ldapPort())
                .withOnPremisesCacheDelay(settings.onPremisesCacheDelay())
                .withTokenLifetime(settings.tokenLifetime())
                .withSchemaDir(settings.schemaDir().orElse(null));
        if (settings.tls().keyStore().isPresent()) {
            options = options.withTls(settings.tls().keyStore().get(),
                    settings.tls().keyStorePassword().map(Secret::reveal).orElse(""), settings.tls().port());
        }
        simulator = Simulator.start(options);
        String base = simulator.baseUrl();
        String domain = simulator.tenant().domain();
        LOG.infof("Simulated Exchange Online tenant %s on %s: EWS %s/EWS/Exchange.asmx, Graph %s/v1.0, tokens "
                + "%s/%s/oauth2/v2.0/token, control API %s/control/state", domain, base, base, base, base, domain, base);
        LOG.infof("Simulated on-premises Exchange %s: EWS (NTLM) %s%s, Active Directory ldap://%s:%d, control API "
                + "%s/control/on-premises/state", OnPremisesDemo.DOMAIN, base, OnPremisesDemo.EWS_PATH, settings.host(),
                simulator.ldapPort(), base);
        simulator.tlsPort().ifPresent(port -> LOG.infof("Simulator HTTPS listener on https://%s:%d", settings.host(),
                port));
    }

    /** The warning due when the simulator runs in these profiles, if they are not the ones it is meant for. */
    static Optional<String> warning(List<String> profiles) {
        if (profiles.stream().anyMatch(SIMULATOR_PROFILES::contains)) {
            return Optional.empty();
        }
        return Optional.of("The simulated Exchange tenant is enabled (simulator.enabled=true) in profile(s) "
                + String.join(",", profiles) + ": it issues tokens to anyone who asks. It is meant for the demo, dev, "
                + "test and simulator profiles; set simulator.enabled=false anywhere else.");
    }

    void stop(@Observes ShutdownEvent event) {
        if (simulator != null) {
            simulator.close();
            simulator = null;
        }
    }
}
