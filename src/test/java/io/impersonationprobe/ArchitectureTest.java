package io.impersonationprobe;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The daemon's dependencies run with the flow: targets, configuration and the bounded HTTP transport at the bottom, then the state directory and
 * credentials, the probe runner and its SPI, the probes (EWS, Graph), the control plane, and metrics and the API on
 * top. Lower layers
 * publish through ports (ProbeObserver, ControlPlaneListener, TokenListener) that the upper ones implement. The
 * simulated tenant is sealed: it uses only the plain utilities of the root package, and only its launcher knows it.
 */
class ArchitectureTest {
    private static final String BASE = "io.impersonationprobe";
    /** Plain utilities of the root package that every layer, the simulator included, may use. */
    private static final Set<String> UTILITIES = Set.of(BASE + ".Causes", BASE + ".Printable", BASE + ".Sha256");

    private static JavaClasses classes;

    @BeforeAll
    static void importProduct() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(BASE);
    }

    private static DescribedPredicate<JavaClass> utilities() {
        return DescribedPredicate.describe("the root package's utilities",
                c -> UTILITIES.contains(c.getName()) || UTILITIES.contains(outermost(c).getName()));
    }

    private static JavaClass outermost(JavaClass c) {
        JavaClass outer = c;
        while (outer.getEnclosingClass().isPresent()) {
            outer = outer.getEnclosingClass().get();
        }
        return outer;
    }

    @Test
    void layersDependOnlyDownwards() {
        ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Utilities").definedBy(utilities())
                .layer("Target").definedBy(BASE + ".target..")
                .layer("Config").definedBy(BASE + ".config..")
                .layer("Http").definedBy(BASE + ".http..")
                .layer("State").definedBy(BASE + ".state..")
                .layer("Auth").definedBy(BASE + ".auth..")
                .layer("Probe").definedBy(BASE + ".probe..")
                .layer("Probes").definedBy(BASE + ".ews..", BASE + ".graph..")
                .layer("Control").definedBy(BASE + ".control..")
                .layer("Metrics").definedBy(BASE + ".metrics..")
                .layer("Api").definedBy(BASE + ".api..")
                .layer("Simulator").definedBy(BASE + ".simulator..")
                .whereLayer("Target").mayOnlyAccessLayers("Utilities")
                .whereLayer("Config").mayOnlyAccessLayers("Target", "Utilities")
                .whereLayer("Http").mayOnlyAccessLayers("Utilities")
                .whereLayer("State").mayOnlyAccessLayers("Config", "Target", "Utilities")
                .whereLayer("Auth").mayOnlyAccessLayers("Http", "Config", "Target", "Utilities")
                .whereLayer("Probe").mayOnlyAccessLayers("State", "Auth", "Config", "Target", "Utilities")
                .whereLayer("Probes").mayOnlyAccessLayers("Probe", "Http", "Auth", "Config", "Target", "Utilities")
                .whereLayer("Control").mayOnlyAccessLayers("Probe", "Http", "State", "Auth", "Config", "Target", "Utilities")
                .whereLayer("Metrics").mayOnlyAccessLayers("Control", "Probe", "Auth", "Config", "Target", "Utilities")
                .whereLayer("Api").mayOnlyAccessLayers("Control", "Http", "Probe", "Auth", "Config", "Target", "Utilities")
                .whereLayer("Simulator").mayOnlyAccessLayers("Utilities");
        layers.check(classes);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching(BASE + ".(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void onlyTheLauncherKnowsTheSimulator() {
        noClasses().that().resideOutsideOfPackage(BASE + ".simulator..")
                .and().doNotHaveFullyQualifiedName(BASE + ".SimulatorLauncher")
                .should().dependOnClassesThat().resideInAPackage(BASE + ".simulator..")
                .because("the product must not decide anything with the simulator's code, nor it with the product's")
                .check(classes);
    }
}
