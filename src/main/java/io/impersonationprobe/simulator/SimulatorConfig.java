package io.impersonationprobe.simulator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The built-in simulated Exchange Online tenant: off by default, on in the dev, demo and test profiles. */
@ConfigMapping(prefix = "simulator")
public interface SimulatorConfig {
    /** Starts the simulated tenant on its own HTTP listener. */
    @WithDefault("false")
    boolean enabled();

    /** Address the simulator listens on. Keep it on loopback: it hands out tokens to anyone who asks. */
    @WithDefault("127.0.0.1")
    String host();

    /** Port the simulator listens on. */
    @WithDefault("8089")
    int port();

    /**
     * How long a new role assignment takes to grant access, and a removed one to stop granting it (Exchange Online
     * caches grants for 30 min to 2 h). The demo uses seconds so the picture moves.
     */
    @WithDefault("0s")
    Duration propagationDelay();

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
        Optional<io.impersonationprobe.config.Secret> keyStorePassword();
    }
}
