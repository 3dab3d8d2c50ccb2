package io.impersonationprobe.simulator;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to start a {@link Simulator}: {@code SimulatorOptions.defaults().withPort(8089).withPropagationDelay(...)}.
 * The defaults suit a test: loopback, free ports, no propagation or cache delays, one-hour tokens, no schema, no TLS.
 */
public final class SimulatorOptions {
    private String host = "127.0.0.1";
    private int port;
    private Path keyStore;
    private String keyStorePassword = "";
    private int tlsPort;
    private PropagationDelays delays = PropagationDelays.NONE;
    private Duration tokenLifetime = Duration.ofHours(1);
    private Path schemaDir;
    private EwsObserver ewsObserver;
    private int ldapPort;
    private Duration onPremisesCacheDelay = Duration.ZERO;

    private SimulatorOptions() {
    }

    public static SimulatorOptions defaults() {
        return new SimulatorOptions();
    }

    private SimulatorOptions copy() {
        SimulatorOptions o = new SimulatorOptions();
        o.host = host;
        o.port = port;
        o.keyStore = keyStore;
        o.keyStorePassword = keyStorePassword;
        o.tlsPort = tlsPort;
        o.delays = delays;
        o.tokenLifetime = tokenLifetime;
        o.schemaDir = schemaDir;
        o.ewsObserver = ewsObserver;
        o.ldapPort = ldapPort;
        o.onPremisesCacheDelay = onPremisesCacheDelay;
        return o;
    }

    /** The address to listen on. Keep it on loopback: the simulator hands out tokens to anyone who asks. */
    public SimulatorOptions withHost(String host) {
        SimulatorOptions o = copy();
        o.host = Objects.requireNonNull(host, "host");
        return o;
    }

    /** The plain HTTP listener's port; 0 takes a free one ({@link Simulator#port()} tells which). */
    public SimulatorOptions withPort(int port) {
        SimulatorOptions o = copy();
        o.port = checkPort(port);
        return o;
    }

    /**
     * An HTTPS listener beside the plain one, to meet clients over real TLS (for example with a self-signed
     * certificate).
     *
     * @param keyStore a PKCS12 key store with the server's certificate and private key
     * @param port     0 takes a free one ({@link Simulator#tlsPort()} tells which)
     */
    public SimulatorOptions withTls(Path keyStore, String password, int port) {
        SimulatorOptions o = copy();
        o.keyStore = Objects.requireNonNull(keyStore, "keyStore");
        o.keyStorePassword = password == null ? "" : password;
        o.tlsPort = checkPort(port);
        return o;
    }

    /**
     * How long a new role assignment takes to grant access, and a removed one to stop granting it (Exchange Online
     * caches grants for 30 min to 2 h).
     */
    public SimulatorOptions withPropagationDelay(Duration delay) {
        SimulatorOptions o = copy();
        o.delays = delays.withGrant(delay);
        return o;
    }

    /** How long a change of the organisation's {@code EwsEnabled} takes to be enforced (Exchange Online: about 1 h). */
    public SimulatorOptions withEwsEnabledDelay(Duration delay) {
        SimulatorOptions o = copy();
        o.delays = delays.withEwsEnabled(delay);
        return o;
    }

    /** How long a change of {@code EwsAllowedAppIDs} takes to be enforced (Exchange Online: about 24 h). */
    public SimulatorOptions withAllowListDelay(Duration delay) {
        SimulatorOptions o = copy();
        o.delays = delays.withAllowList(delay);
        return o;
    }

    /** The on-premises tenant's LDAP listener's port; 0 takes a free one ({@link Simulator#ldapPort()} tells which). */
    public SimulatorOptions withLdapPort(int port) {
        SimulatorOptions o = copy();
        o.ldapPort = checkPort(port);
        return o;
    }

    /**
     * How long a change in the on-premises directory takes to reach EWS's impersonation decisions (Exchange caches
     * a caller's RBAC view for 5 minutes).
     */
    public SimulatorOptions withOnPremisesCacheDelay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("the on-premises cache delay cannot be negative");
        }
        SimulatorOptions o = copy();
        o.onPremisesCacheDelay = delay;
        return o;
    }

    /** The lifetime of the access tokens the token endpoint issues. */
    public SimulatorOptions withTokenLifetime(Duration lifetime) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("the token lifetime must be positive");
        }
        SimulatorOptions o = copy();
        o.tokenLifetime = lifetime;
        return o;
    }

    /**
     * A folder holding Microsoft's EWS schema ({@code Messages.xsd}, {@code Types.xsd}). When it exists, every EWS
     * request is validated against it and an invalid one gets {@code ErrorSchemaValidation}, as from a real server;
     * when it does not, requests are not validated (a warning says so).
     */
    public SimulatorOptions withSchemaDir(Path dir) {
        SimulatorOptions o = copy();
        o.schemaDir = dir;
        return o;
    }

    /** Told of every EWS request as it arrives and as its answer leaves, on the listener's own threads. */
    public SimulatorOptions withEwsObserver(EwsObserver observer) {
        SimulatorOptions o = copy();
        o.ewsObserver = observer;
        return o;
    }

    private static int checkPort(int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is not between 0 and 65535");
        }
        return port;
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    Optional<Path> keyStore() {
        return Optional.ofNullable(keyStore);
    }

    String keyStorePassword() {
        return keyStorePassword;
    }

    int tlsPort() {
        return tlsPort;
    }

    PropagationDelays delays() {
        return delays;
    }

    int ldapPort() {
        return ldapPort;
    }

    Duration onPremisesCacheDelay() {
        return onPremisesCacheDelay;
    }

    Duration tokenLifetime() {
        return tokenLifetime;
    }

    Optional<Path> schemaDir() {
        return Optional.ofNullable(schemaDir);
    }

    Optional<EwsObserver> ewsObserver() {
        return Optional.ofNullable(ewsObserver);
    }

    /** Told of the EWS traffic; the benchmark uses it to bound a probe cycle as the server sees it. */
    public interface EwsObserver {
        /** An EWS request arrived (before it is read or answered). */
        void arrived();

        /** The answer to an EWS request has been sent. */
        void answered();
    }
}
