package io.impersonationprobe.config;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * A credential value that never prints itself: {@link #toString()} is masked so a secret cannot reach a log line,
 * an exception message or an API answer by accident. Only the credential layer calls {@link #reveal()}.
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    public String reveal() {
        return value;
    }

    public boolean isBlank() {
        return value.isBlank();
    }

    @Override
    public String toString() {
        return "****";
    }

    /** Lets {@code @ConfigMapping} read {@link Secret} properties. */
    public static final class SecretConverter implements Converter<Secret> {
        @Override
        public Secret convert(String value) {
            return value == null || value.isEmpty() ? null : new Secret(value);
        }
    }
}
