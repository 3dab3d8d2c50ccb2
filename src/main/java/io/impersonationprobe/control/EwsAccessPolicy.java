package io.impersonationprobe.control;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The daemon's own reading of Exchange Online's EWS gates. The organisation's app-ID gate ({@code EwsEnabled} with
 * {@code EwsAllowedAppIDs}) and the user-agent policy are evaluated separately and both must pass. The user-agent
 * policy:  with {@code EnforceAllowList} only user agents matching an entry of
 * {@code EwsAllowList} may use EWS; with {@code EnforceBlockList} those matching {@code EwsBlockList} may not.
 * Entries are user-agent strings with {@code *} wildcards, compared without regard to case.
 */
public final class EwsAccessPolicy {
    private EwsAccessPolicy() {
    }

    /**
     * What Exchange decides for the app today (rules in force since 2026-10-10): False blocks all; True with an empty
     * list blocks all; True with a list lets only the listed app IDs through (case-insensitive); $null allows until
     * Microsoft switches the tenant to False. The list matters only under True.
     *
     * @param allowList        the EwsAllowedAppIDs entries, empty when none; null when unknown
     * @param userAgentAllowed the user-agent policy's answer, null when unknown
     */
    public static EwsAppDecision decide(EwsEnabled enabled, List<String> allowList, Boolean userAgentAllowed,
                                        String appId) {
        if (enabled == EwsEnabled.FALSE) {
            return EwsAppDecision.BLOCKED_EWS_DISABLED;
        }
        if (Boolean.FALSE.equals(userAgentAllowed)) {
            return EwsAppDecision.BLOCKED_USER_AGENT;
        }
        EwsAppDecision byAppId = switch (enabled) {
            case NULL -> EwsAppDecision.ALLOWED_FOR_NOW;
            case TRUE -> allowList == null ? EwsAppDecision.UNKNOWN
                    : allowList.isEmpty() ? EwsAppDecision.BLOCKED_ALLOW_LIST_EMPTY
                    : allowList.stream().anyMatch(appId::equalsIgnoreCase) ? EwsAppDecision.ALLOWED
                    : EwsAppDecision.BLOCKED_NOT_IN_ALLOW_LIST;
            default -> EwsAppDecision.UNKNOWN;
        };
        return byAppId.allows() == Boolean.TRUE && userAgentAllowed == null ? EwsAppDecision.UNKNOWN : byAppId;
    }

    /** Whether the policy lets this user agent use EWS; no policy lets everyone. */
    public static boolean allows(String policy, List<String> allowList, List<String> blockList, String userAgent) {
        if ("EnforceAllowList".equalsIgnoreCase(policy)) {
            return allowList != null && allowList.stream().anyMatch(p -> matches(p, userAgent));
        }
        if ("EnforceBlockList".equalsIgnoreCase(policy)) {
            return blockList == null || blockList.stream().noneMatch(p -> matches(p, userAgent));
        }
        return true;
    }

    static boolean matches(String pattern, String userAgent) {
        StringBuilder regex = new StringBuilder();
        for (String part : pattern.split("\\*", -1)) {
            regex.append(Pattern.quote(part.toLowerCase(Locale.ROOT))).append(".*");
        }
        return Pattern.matches(regex.substring(0, regex.length() - 2), userAgent.toLowerCase(Locale.ROOT));
    }
}
