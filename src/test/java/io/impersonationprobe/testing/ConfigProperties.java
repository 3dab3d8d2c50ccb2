package io.impersonationprobe.testing;

import io.impersonationprobe.SimulatorLauncher;
import io.impersonationprobe.config.ProbeConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The property names the daemon's {@code @ConfigMapping} interfaces accept, read from the interfaces themselves, so
 * that example configurations and deployment files can be checked against them: a misspelt key would otherwise be
 * ignored silently and its default used.
 */
public final class ConfigProperties {
    private static final List<Pattern> PROPERTIES = new ArrayList<>();
    private static final List<Pattern> ENVIRONMENT = new ArrayList<>();

    static {
        for (Class<?> mapping : List.of(ProbeConfig.class, SimulatorLauncher.Settings.class)) {
            walk(mapping.getAnnotation(ConfigMapping.class).prefix(), mapping);
        }
    }

    private ConfigProperties() {
    }

    /** Whether a property such as {@code impersonation.tenants.contoso.auth.client-id} is one the daemon reads. */
    public static boolean known(String property) {
        return PROPERTIES.stream().anyMatch(p -> p.matcher(property).matches());
    }

    /** Whether an environment variable such as {@code IMPERSONATION_SHARDING_REPLICAS} names such a property. */
    public static boolean knownEnvironment(String variable) {
        return ENVIRONMENT.stream().anyMatch(p -> p.matcher(variable).matches());
    }

    private static void walk(String prefix, Class<?> type) {
        for (Method method : type.getMethods()) {
            if (method.getParameterCount() > 0 || Modifier.isStatic(method.getModifiers()) || method.isDefault()) {
                continue;
            }
            WithName name = method.getAnnotation(WithName.class);
            String path = prefix + "." + (name != null ? name.value() : kebab(method.getName()));
            property(path, method.getGenericReturnType());
        }
    }

    private static void property(String path, Type type) {
        if (type instanceof ParameterizedType parameterized) {
            Type raw = parameterized.getRawType();
            Type[] arguments = parameterized.getActualTypeArguments();
            if (raw == Optional.class) {
                property(path, arguments[0]);
                return;
            }
            if (raw == java.util.Map.class) {
                property(path + ".*", arguments[1]);
                return;
            }
        }
        if (type instanceof Class<?> c && c.isInterface() && c.getName().startsWith("io.impersonationprobe.")) {
            walk(path, c);
            return;
        }
        leaf(path);
    }

    private static void leaf(String path) {
        StringBuilder property = new StringBuilder();
        StringBuilder variable = new StringBuilder();
        for (String part : path.split("\\.")) {
            String separator = property.isEmpty() ? "" : ".";
            if (part.equals("*")) {
                property.append(separator).append("[^.]+");
                variable.append(separator.isEmpty() ? "" : "_").append("[A-Z0-9_]+");
            } else {
                property.append(separator).append(Pattern.quote(part));
                variable.append(separator.isEmpty() ? "" : "_")
                        .append(part.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT));
            }
        }
        PROPERTIES.add(Pattern.compile(property.toString()));
        ENVIRONMENT.add(Pattern.compile(variable.toString()));
    }

    /** SmallRye's default naming: {@code clientSecretFile} becomes {@code client-secret-file}. */
    private static String kebab(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
