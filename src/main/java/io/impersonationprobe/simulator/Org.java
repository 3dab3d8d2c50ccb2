package io.impersonationprobe.simulator;

import java.util.List;

/**
 * The organisation settings that gate EWS in Exchange Online ({@code Get-OrganizationConfig}), as configured. The
 * access rules decide what they allow ({@link AccessRules#ewsGate}); {@link OrgSettings} says when Exchange's caches
 * enforce a change.
 *
 * @param ewsEnabled                 {@code EwsEnabled}: null (the default of a real tenant: EWS allowed until
 *                                   Microsoft switches it off), true (only the apps on {@code EwsAllowedAppIDs}) or
 *                                   false (no EWS)
 * @param ewsAllowedAppIds           {@code EwsAllowedAppIDs}; null when none is set (with {@code EwsEnabled} true:
 *                                   every app is refused)
 * @param ewsApplicationAccessPolicy {@code EnforceAllowList}, {@code EnforceBlockList} or null (no user-agent policy)
 * @param ewsAllowList               user agents, with {@code *} wildcards, that {@code EnforceAllowList} admits
 * @param ewsBlockList               user agents, with {@code *} wildcards, that {@code EnforceBlockList} refuses
 */
public record Org(boolean isDehydrated, Boolean ewsEnabled, List<String> ewsAllowedAppIds,
                  String ewsApplicationAccessPolicy, List<String> ewsAllowList, List<String> ewsBlockList) {
    /** A customised organisation as most are in December 2026: EwsEnabled never set, no list, no user-agent policy. */
    static final Org DEFAULT = new Org(false, null, null, null, null, null);

    public Org withDehydrated(boolean dehydrated) {
        return new Org(dehydrated, ewsEnabled, ewsAllowedAppIds, ewsApplicationAccessPolicy, ewsAllowList, ewsBlockList);
    }

    /** @param enabled null, true or false, as {@code Set-OrganizationConfig -EwsEnabled} takes it */
    public Org withEwsEnabled(Boolean enabled) {
        return new Org(isDehydrated, enabled, ewsAllowedAppIds, ewsApplicationAccessPolicy, ewsAllowList, ewsBlockList);
    }

    /** @param appIds the whole new list, as {@code -EwsAllowedAppIDs} replaces it; null or empty clears it */
    public Org withEwsAllowedAppIds(List<String> appIds) {
        List<String> ids = appIds == null || appIds.isEmpty() ? null : List.copyOf(appIds);
        return new Org(isDehydrated, ewsEnabled, ids, ewsApplicationAccessPolicy, ewsAllowList, ewsBlockList);
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

    /** {@code EwsAllowedAppIDs} as Exchange reads it back: one comma-joined string, or null when none is set. */
    String ewsAllowedAppIdsText() {
        return ewsAllowedAppIds == null ? null : String.join(",", ewsAllowedAppIds);
    }

    private static List<String> copy(List<String> values) {
        return values == null ? null : List.copyOf(values);
    }
}
