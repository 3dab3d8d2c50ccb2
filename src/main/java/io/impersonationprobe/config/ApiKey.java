package io.impersonationprobe.config;

import java.util.Set;

/**
 * A configured API key: its caller name, the SHA-256 of the key (never the key) and its roles.
 * {@link #toString()} leaves the hash out.
 */
public record ApiKey(String caller, byte[] sha256, Set<ApiRole> roles) {
    @Override
    public String toString() {
        return "ApiKey[caller=" + caller + ", roles=" + roles + "]";
    }
}
