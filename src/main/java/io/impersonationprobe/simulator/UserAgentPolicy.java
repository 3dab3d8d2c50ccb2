package io.impersonationprobe.simulator;

import java.util.List;
import java.util.Locale;

/**
 * Exchange Online's EWS application access policy as the simulated tenant enforces it: with {@code EnforceAllowList}
 * only a user agent that matches an entry of {@code EwsAllowList} gets through, with {@code EnforceBlockList} one that
 * matches an entry of {@code EwsBlockList} does not, and without a policy every user agent does. Entries are user
 * agents in which {@code *} stands for any run of characters; case does not matter.
 */
final class UserAgentPolicy {
    private UserAgentPolicy() {
    }

    static boolean admits(Org org, String userAgent) {
        String agent = userAgent == null ? "" : userAgent;
        String policy = org.ewsApplicationAccessPolicy();
        if ("EnforceAllowList".equalsIgnoreCase(policy)) {
            return anyMatches(org.ewsAllowList(), agent);
        }
        if ("EnforceBlockList".equalsIgnoreCase(policy)) {
            return !anyMatches(org.ewsBlockList(), agent);
        }
        return true;
    }

    private static boolean anyMatches(List<String> entries, String userAgent) {
        return entries != null && entries.stream().anyMatch(entry -> wildcardMatch(
                entry.toLowerCase(Locale.ROOT), userAgent.toLowerCase(Locale.ROOT)));
    }

    /**
     * Whether {@code text} matches {@code pattern}, where {@code *} matches any run of characters: the pieces between
     * stars must appear in order, the first at the start and the last at the end (unless a star stands there).
     */
    static boolean wildcardMatch(String pattern, String text) {
        String[] pieces = pattern.split("\\*", -1);
        if (pieces.length == 1) {
            return pattern.equals(text);
        }
        if (!text.startsWith(pieces[0])) {
            return false;
        }
        int position = pieces[0].length();
        for (int i = 1; i < pieces.length - 1; i++) {
            int found = text.indexOf(pieces[i], position);
            if (found < 0) {
                return false;
            }
            position = found + pieces[i].length();
        }
        String last = pieces[pieces.length - 1];
        return text.length() - last.length() >= position && text.endsWith(last);
    }
}
