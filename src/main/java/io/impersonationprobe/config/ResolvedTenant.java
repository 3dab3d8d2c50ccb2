package io.impersonationprobe.config;

/**
 * A tenant after validation, with its secret read (from the environment or a file) exactly once.
 *
 * @param secret the client secret, or null for methods that do not use one
 */
public record ResolvedTenant(String id, ProbeConfig.Tenant config, Secret secret) {
    public TenantKind kind() {
        return config.kind();
    }
}
