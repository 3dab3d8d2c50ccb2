package io.impersonationprobe.control;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EwsAccessPolicyTest {
    static final String PROBE = "impersonation-probe (ExchangeServicesClient/0.0.0.0)";

    @Test
    void withoutAPolicyEveryoneMayUseEws() {
        assertTrue(EwsAccessPolicy.allows(null, null, null, PROBE));
    }

    @Test
    void anAllowListAdmitsOnlyMatchingUserAgents() {
        assertFalse(EwsAccessPolicy.allows("EnforceAllowList", List.of("Outlook*"), null, PROBE));
        assertFalse(EwsAccessPolicy.allows("EnforceAllowList", null, null, PROBE), "an empty allow list admits nobody");
        assertTrue(EwsAccessPolicy.allows("EnforceAllowList", List.of("Outlook*", "IMPERSONATION-PROBE*"), null, PROBE),
                "entries compare without regard to case");
        assertTrue(EwsAccessPolicy.allows("EnforceAllowList", List.of("*ExchangeServicesClient*"), null, PROBE));
    }

    @Test
    void aBlockListRefusesMatchingUserAgents() {
        assertFalse(EwsAccessPolicy.allows("EnforceBlockList", null, List.of("*ExchangeServicesClient/*"), PROBE));
        assertTrue(EwsAccessPolicy.allows("EnforceBlockList", null, List.of("MacOutlook*"), PROBE));
        assertTrue(EwsAccessPolicy.allows("EnforceBlockList", List.of("nothing"), null, PROBE), "the allow list is ignored");
    }
}
