package io.impersonationprobe.config;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Validates the configuration while the application starts, so a bad one stops startup instead of probing wrong. */
@ApplicationScoped
public class ConfigProducer {

    @Produces
    @Singleton
    @Startup
    ValidatedConfig validatedConfig(ProbeConfig config) {
        return ConfigValidator.validate(config);
    }
}
