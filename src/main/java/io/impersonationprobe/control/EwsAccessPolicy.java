package io.impersonationprobe.control;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Exchange's EWS application access policy: with {@code EnforceAllowList} only user agents matching an entry of
 * {@code EwsAllowList} may use EWS; with {@code EnforceBlockList} those matching {@code EwsBlockList} may not.
 * Entries are user-agent strings with {@code *} wildcards, compared without regard to case.
 */
public final class EwsAccessPolicy {
    private EwsAccessPolicy() {
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
