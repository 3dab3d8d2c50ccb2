package io.impersonationprobe.config;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.validator.BeanValidationConfigValidatorImpl;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Configurations for tests, mapped as Quarkus maps them at startup but without starting it: the converters it
 * registers, then Bean Validation of the mapping, then {@link ConfigValidator}. The fixtures live in
 * {@code src/test/resources/config}; the files they point to, in its {@code files} folder, by paths relative to the
 * project, where the tests run.
 */
final class ConfigFixtures {
    static final Path DIRECTORY = Path.of("src/test/resources/config");
    private static final BeanValidationConfigValidatorImpl BEAN_VALIDATION = new BeanValidationConfigValidatorImpl();

    private ConfigFixtures() {
    }

    /** The properties of {@code <fixture>.properties}, in a map the test may change. */
    static Map<String, String> properties(String fixture) {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(DIRECTORY.resolve(fixture + ".properties"), StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> map = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(name -> map.put(name, properties.getProperty(name)));
        return map;
    }

    /** One Exchange Online tenant and one group, each invalid fixture's starting point. */
    static Map<String, String> valid() {
        return properties("valid");
    }

    /** The mapping, converted and range-checked; a {@link ConfigValidationException} lists what is wrong. */
    static ProbeConfig mapping(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withMapping(ProbeConfig.class)
                .withConverter(Secret.class, 100, new Secret.SecretConverter())
                .withConverter(Duration.class, 200, new DurationConverter())
                .withValidator(BEAN_VALIDATION)
                .withSources(new PropertiesConfigSource(properties, "test", 100))
                .build()
                .getConfigMapping(ProbeConfig.class);
    }

    /** The configuration as the rest of the daemon sees it, for a host without {@code HOSTNAME}. */
    static ValidatedConfig validated(Map<String, String> properties) {
        return ConfigValidator.validate(mapping(properties), null);
    }

    /** What stops startup: the mapping's problems (types and ranges) or else the validator's; none for a valid one. */
    static List<String> problems(Map<String, String> properties) {
        try {
            validated(properties);
            return List.of();
        } catch (ConfigValidationException e) {
            List<String> problems = new ArrayList<>();
            for (int i = 0; i < e.getProblemCount(); i++) {
                problems.add(e.getProblem(i).getMessage());
            }
            return problems;
        } catch (InvalidConfigurationException e) {
            return e.problems();
        }
    }
}
