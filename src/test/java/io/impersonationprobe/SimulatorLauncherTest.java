package io.impersonationprobe;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The simulated tenant issues tokens to anyone: outside the profiles meant for it, starting it says so. */
class SimulatorLauncherTest {

    @Test
    void theProfilesMeantForTheSimulatorStartItQuietly() {
        for (List<String> profiles : List.of(List.of("demo"), List.of("dev", "demo"), List.of("test", "demo"),
                List.of("simulator"))) {
            assertTrue(SimulatorLauncher.warning(profiles).isEmpty(), profiles.toString());
        }
    }

    @Test
    void anyOtherProfileGetsAWarningNamingIt() {
        String warning = SimulatorLauncher.warning(List.of("prod")).orElseThrow();
        assertTrue(warning.contains("profile(s) prod"), warning);
        assertTrue(warning.contains("it issues tokens to anyone"), warning);
        assertTrue(warning.contains("simulator.enabled=false"), warning);
        assertTrue(SimulatorLauncher.warning(List.of("staging")).isPresent());
    }
}
