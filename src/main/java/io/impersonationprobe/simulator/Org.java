package io.impersonationprobe.simulator;

import java.util.List;

/**
 * The organisation settings that gate EWS in Exchange Online ({@code Get-OrganizationConfig}), as the admin API
 * answers them. The access rules decide what they allow ({@link AccessRules#ewsGate}).
 *
 * @param ewsAllowedAppIds           {@code EwsAllowedAppIDs}; null when no allow list is set (every app may use EWS)
 * @param ewsApplicationAccessPolicy {@code EnforceAllowList}, {@code EnforceBlockList} or null (no user-agent policy)
 * @param ewsAllowList               user agents, with {@code *} wildcards, that {@code EnforceAllowList} admits
 * @param ewsBlockList               user agents, with {@code *} wildcards, that {@code EnforceBlockList} refuses
 */
public record Org(boolean isDehydrated, boolean ewsEnabled, List<String> ewsAllowedAppIds,
                  String ewsApplicationAccessPolicy, List<String> ewsAllowList, List<String> ewsBlockList) {
    /** A customised organisation with EWS on for every app and no user-agent policy. */
    static final Org DEFAULT = new Org(false, true, null, null, null, null);

    public Org withDehydrated(boolean dehydrated) {
        return new Org(dehydrated, ewsEnabled, ewsAllowedAppIds, ewsApplicationAccessPolicy, ewsAllowList, ewsBlockList);
    }

    public Org withEwsEnabled(boolean enabled) {
        return new Org(isDehydrated, enabled, ewsAllowedAppIds, ewsApplicationAccessPolicy, ewsAllowList, ewsBlockList);
    }

    /** @param appIds null clears the list: every app may use EWS */
    public Org withEwsAllowedAppIds(List<String> appIds) {
        return new Org(isDehydrated, ewsEnabled, copy(appIds), ewsApplicationAccessPolicy, ewsAllowList, ewsBlockList);
    }

    /** @param policy {@code EnforceAllowList}, {@code EnforceBlockList}, or null for none */
    public Org withEwsApplicationAccessPolicy(String policy) {
        return new Org(isDehydrated, ewsEnabled, ewsAllowedAppIds, policy, ewsAllowList, ewsBlockList);
    }

    public Org withEwsAllowList(List<String> userAgents) {
        return new Org(isDehydrated, ewsEnabled, ewsAllowedAppIds, ewsApplicationAccessPolicy, copy(userAgents),
                ewsBlockList);
    }

    public Org withEwsBlockList(List<String> userAgents) {
        return new Org(isDehydrated, ewsEnabled, ewsAllowedAppIds, ewsApplicationAccessPolicy, ewsAllowList,
                copy(userAgents));
    }

    private static List<String> copy(List<String> values) {
        return values == null ? null : List.copyOf(values);
    }
}
