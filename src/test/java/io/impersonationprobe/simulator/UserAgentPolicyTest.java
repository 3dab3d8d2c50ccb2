package io.impersonationprobe.simulator;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The simulated tenant's own enforcement of EwsApplicationAccessPolicy. */
class UserAgentPolicyTest {
    static final String PROBE = "impersonation-probe (ExchangeServicesClient/0.0.0.0)";

    private static Org policy(String policy, List<String> allow, List<String> block) {
        return Org.DEFAULT.withEwsApplicationAccessPolicy(policy).withEwsAllowList(allow).withEwsBlockList(block);
    }

    @Test
    void withoutAPolicyEveryUserAgentGetsThrough() {
        assertTrue(UserAgentPolicy.admits(Org.DEFAULT, PROBE));
        assertTrue(UserAgentPolicy.admits(Org.DEFAULT, null), "not even a user agent is needed");
    }

    @Test
    void anAllowListAdmitsOnlyMatchingUserAgents() {
        assertFalse(UserAgentPolicy.admits(policy("EnforceAllowList", List.of("Outlook*"), null), PROBE));
        assertFalse(UserAgentPolicy.admits(policy("EnforceAllowList", null, null), PROBE), "no list admits nobody");
        assertTrue(UserAgentPolicy.admits(policy("enforceallowlist", List.of("Outlook*", "IMPERSONATION-PROBE*"), null),
                PROBE), "entries and the policy's name compare without regard to case");
        assertTrue(UserAgentPolicy.admits(policy("EnforceAllowList", List.of("*ExchangeServicesClient*"), null), PROBE));
        assertFalse(UserAgentPolicy.admits(policy("EnforceAllowList", List.of("impersonation-probe"), null), PROBE),
                "without a star an entry is the whole user agent");
    }

    @Test
    void aBlockListRefusesMatchingUserAgents() {
        assertFalse(UserAgentPolicy.admits(policy("EnforceBlockList", null, List.of("*ExchangeServicesClient/*")), PROBE));
        assertTrue(UserAgentPolicy.admits(policy("EnforceBlockList", null, List.of("MacOutlook*")), PROBE));
        assertTrue(UserAgentPolicy.admits(policy("EnforceBlockList", List.of("nothing"), null), PROBE),
                "the allow list is ignored");
    }

    @Test
    void starsMatchAnyRunInOrder() {
        assertTrue(UserAgentPolicy.wildcardMatch("a*b*c", "axxbyyc"));
        assertTrue(UserAgentPolicy.wildcardMatch("a*b*c", "abc"));
        assertFalse(UserAgentPolicy.wildcardMatch("a*b*c", "acb"), "pieces in order");
        assertFalse(UserAgentPolicy.wildcardMatch("ab*ba", "aba"), "start and end may not overlap");
        assertTrue(UserAgentPolicy.wildcardMatch("*", ""));
        assertTrue(UserAgentPolicy.wildcardMatch("**x", "yx"));
        assertFalse(UserAgentPolicy.wildcardMatch("x", "xy"));
        assertTrue(UserAgentPolicy.wildcardMatch("a.c*", "a.cd"), "a dot is a dot, not any character");
        assertFalse(UserAgentPolicy.wildcardMatch("a.c*", "abcd"));
    }
}
