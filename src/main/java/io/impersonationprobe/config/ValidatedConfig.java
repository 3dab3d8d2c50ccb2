package io.impersonationprobe.config;

import io.impersonationprobe.target.TargetGroup;

import java.util.List;
import java.util.Map;

/**
 * The configuration after every startup check: the only form the rest of the daemon reads.
 *
 * @param apiKeys the on-demand API's keys, from properties and the keys file
 */
public record ValidatedConfig(Map<String, ResolvedTenant> tenants, List<TargetGroup> groups, List<ApiKey> apiKeys) {
}
