package io.impersonationprobe.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The packaged jar in the {@code simulator} profile as a process of its own: the simulated tenant alone, on a free
 * port that its startup log names, for a daemon in another process to probe.
 */
public final class SimulatorProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("Simulated Exchange Online tenant \\S+ on http://[^:\\s]+:(\\d+):");
    private static final Pattern DIRECTORY = Pattern.compile("Active Directory ldap://[^:\\s]+:(\\d+)");

    private final DaemonProcess process;
    private final int port;
    private final int ldapPort;

    private SimulatorProcess(DaemonProcess process, int port, int ldapPort) {
        this.process = process;
        this.port = port;
        this.ldapPort = ldapPort;
    }

    /** Starts it with these system properties besides the profile and the port, and waits until it listens. */
    public static SimulatorProcess start(String name, Map<String, String> properties) throws IOException {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("quarkus.profile", "simulator");
        all.put("simulator.port", "0");
        all.put("simulator.ldap-port", "0");
        all.putAll(properties);
        DaemonProcess process = DaemonProcess.launch(name, all, Map.of(), DaemonProcess.jar(), null,
                List.of("-Xmx256m"));
        int port = Integer.parseInt(process.awaitLog(LISTENING, Duration.ofSeconds(60)).group(1));
        int ldapPort = Integer.parseInt(process.awaitLog(DIRECTORY, Duration.ofSeconds(10)).group(1));
        return new SimulatorProcess(process, port, ldapPort);
    }

    public int port() {
        return port;
    }

    /** The on-premises tenant's LDAP listener, which the demo profile's {@code simulator.ldap-port} must name. */
    public int ldapPort() {
        return ldapPort;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public Path log() {
        return process.log();
    }

    @Override
    public void close() {
        process.close();
    }
}
