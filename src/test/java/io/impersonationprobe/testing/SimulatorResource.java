package io.impersonationprobe.testing;

import io.impersonationprobe.simulator.Simulator;
import io.impersonationprobe.simulator.SimulatorOptions;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The simulated tenant for a {@code @QuarkusTest}, in the test's JVM on a free port: no propagation delay, and every
 * EWS request checked against Microsoft's schema when the reference material sits beside the project. It points the
 * daemon at that ports ({@code simulator.port} and {@code simulator.ldap-port}, which the demo profile's URLs use; the daemon's own simulator stays
 * off) and hands the running simulator to the test's field marked {@link InjectSimulator}. Test classes that use it
 * with {@code scope = MATCHING_RESOURCES} share one application and one simulator, so each test resets it first.
 */
public class SimulatorResource implements QuarkusTestResourceLifecycleManager {
    /** Marks a test's {@link Simulator} field that receives the running simulator. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface InjectSimulator {
    }

    private Simulator simulator;

    @Override
    public Map<String, String> start() {
        simulator = Simulator.start(options());
        Map<String, String> config = new LinkedHashMap<>();
        config.put("simulator.enabled", "false");
        config.put("simulator.port", String.valueOf(simulator.port()));
        config.put("simulator.ldap-port", String.valueOf(simulator.ldapPort()));
        config.putAll(configFor(simulator));
        return config;
    }

    /** How the simulator starts; a subclass may add to it, such as an HTTPS listener. */
    protected SimulatorOptions options() {
        Path schema = ReferenceFiles.ewsDir().resolve("schema");
        return SimulatorOptions.defaults().withSchemaDir(Files.isDirectory(schema) ? schema : null);
    }

    /** Configuration the daemon needs beyond the simulator's port, once it listens; none by default. */
    protected Map<String, String> configFor(Simulator started) {
        return Map.of();
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(simulator, new TestInjector.AnnotatedAndMatchesType(InjectSimulator.class,
                Simulator.class));
    }

    @Override
    public void stop() {
        if (simulator != null) {
            simulator.close();
        }
    }
}
