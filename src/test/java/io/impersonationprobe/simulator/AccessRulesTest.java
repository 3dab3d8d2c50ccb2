package io.impersonationprobe.simulator;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Access follows the model: scope, Entra consent, and a propagation delay both ways, as in Exchange Online. */
class AccessRulesTest {
    static final Duration DELAY = Duration.ofMinutes(30);
    static final String PROBE = "impersonation-probe (ExchangeServicesClient/0.0.0.0)";

    private final SimulatedTenant tenant = new SimulatedTenant(DELAY);
    private final TenantState state = tenant.state();
    private final AccessRules access = tenant.access();

    private boolean canReach(String smtp) {
        return access.canActAs(DemoTenant.APP_ID, List.of(), mailbox(smtp));
    }

    private Mailbox mailbox(String smtp) {
        return state.mailbox(smtp).orElseThrow();
    }

    @Test
    void theDemoScopeCoversSalesAndSupportAndLeaksTheSalesVp() {
        assertTrue(canReach("alex.wilber@contoso.com"));
        assertTrue(canReach("support@contoso.com"));
        assertFalse(canReach("patti.fernandez@contoso.com"));
        assertFalse(canReach("boardroom@contoso.com"));
        assertTrue(canReach("nestor.wilke@contoso.com"), "the scope leak the demo shows");
    }

    @Test
    void aNewAssignmentTakesEffectOnlyAfterTheDelay() {
        state.addScope("Executives", "MemberOfGroup -eq 'Leadership'");
        state.addAssignment("exec", Roles.EWS_ACCESS_AS_APP, DemoTenant.APP_ID, "Executives");
        assertFalse(canReach("patti.fernandez@contoso.com"), "pending");
        tenant.clock().advance(DELAY.minusSeconds(1));
        assertFalse(canReach("patti.fernandez@contoso.com"), "still pending");
        tenant.clock().advance(Duration.ofSeconds(1));
        assertTrue(canReach("patti.fernandez@contoso.com"), "effective");
    }

    @Test
    void aRemovedAssignmentKeepsGrantingUntilTheDelayHasPassedEvenWhenReAdded() {
        assertTrue(state.removeAssignment(DemoTenant.ASSIGNMENT));
        assertTrue(canReach("alex.wilber@contoso.com"), "revocation pending");
        // Re-adding under the same name starts a new grant; the old one still counts until it is revoked.
        state.addAssignment(DemoTenant.ASSIGNMENT, Roles.EWS_ACCESS_AS_APP, DemoTenant.APP_ID, DemoTenant.SCOPE);
        assertTrue(canReach("alex.wilber@contoso.com"));
        assertThrows(IllegalStateException.class, () -> state.removeScope(DemoTenant.SCOPE));
        state.removeAssignment(DemoTenant.ASSIGNMENT);
        tenant.clock().advance(DELAY);
        assertFalse(canReach("alex.wilber@contoso.com"), "revoked");
        assertTrue(state.removeScope(DemoTenant.SCOPE), "no assignment uses the scope any more");
        assertFalse(state.removeAssignment(DemoTenant.ASSIGNMENT), "already removed");
    }

    @Test
    void entraConsentedFullAccessOverridesEveryScope() {
        assertTrue(access.canActAs("any-app", List.of("full_access_as_app"), mailbox("patti.fernandez@contoso.com")));
        assertFalse(access.canActAs("any-app", List.of(), mailbox("alex.wilber@contoso.com")),
                "another app has no assignment");
    }

    @Test
    void anAssignmentWithoutScopeCoversTheWholeOrganisation() {
        state.addServiceAccount(new ServiceAccount("CONTOSO", "svc-probe", "secret"));
        ServiceAccount account = state.serviceAccount("SVC-PROBE").orElseThrow();
        assertFalse(access.canImpersonate(account, mailbox("boardroom@contoso.com")), "no assignment yet");
        state.addAssignment("everyone", Roles.APPLICATION_IMPERSONATION, "svc-probe", null);
        tenant.clock().advance(DELAY);
        assertTrue(access.canImpersonate(account, mailbox("boardroom@contoso.com")));
        assertTrue(access.canImpersonate(account, mailbox("patti.fernandez@contoso.com")));
        assertFalse(canReach("boardroom@contoso.com"), "the service account's role gives the app nothing");
    }

    @Test
    void graphFollowsItsOwnRolesAndEntraPermissionsNotEwsGates() {
        assertTrue(access.canReadFolderOverGraph(DemoTenant.APP_ID, List.of(), mailbox("alex.wilber@contoso.com")));
        assertFalse(access.canReadFolderOverGraph(DemoTenant.APP_ID, List.of(), mailbox("support@contoso.com")),
                "the Graph scope leaves out shared mailboxes");
        assertTrue(access.canReadFolderOverGraph("other-app", List.of("Mail.ReadBasic.All"),
                mailbox("patti.fernandez@contoso.com")), "an Entra Graph permission is unscoped");
        assertFalse(access.canReadFolderOverGraph("other-app", List.of("full_access_as_app"),
                mailbox("alex.wilber@contoso.com")), "the EWS permission does not open Graph");
        state.setOrg(state.org().withEwsEnabled(false));
        assertTrue(access.canReadFolderOverGraph(DemoTenant.APP_ID, List.of(), mailbox("alex.wilber@contoso.com")),
                "EwsEnabled gates EWS only");
    }

    @Test
    void theOrganisationsEwsGatesComeInOrder() {
        assertEquals(AccessRules.EwsGate.OPEN, access.ewsGate(DemoTenant.APP_ID, PROBE), "EwsEnabled $null");
        state.setOrg(state.org().withEwsAllowedAppIds(List.of("11111111-2222-3333-4444-555555555555")));
        assertEquals(AccessRules.EwsGate.OPEN, access.ewsGate(DemoTenant.APP_ID, PROBE), "$null ignores the list");
        state.setOrg(state.org().withEwsEnabled(true));
        assertEquals(AccessRules.EwsGate.BLOCKED_BY_POLICY, access.ewsGate(DemoTenant.APP_ID, PROBE));
        assertEquals(AccessRules.EwsGate.OPEN, access.ewsGate(null, PROBE), "a user's request is not gated by app ID");
        state.setOrg(state.org().withEwsAllowedAppIds(null));
        assertEquals(AccessRules.EwsGate.BLOCKED_BY_POLICY, access.ewsGate(DemoTenant.APP_ID, PROBE),
                "True with an empty list blocks every app");
        state.setOrg(state.org().withEwsAllowedAppIds(List.of(DemoTenant.APP_ID))
                .withEwsApplicationAccessPolicy("EnforceAllowList").withEwsAllowList(List.of("Outlook*")));
        assertEquals(AccessRules.EwsGate.BLOCKED_BY_POLICY, access.ewsGate(DemoTenant.APP_ID, PROBE),
                "listed, but its user agent is not");
        state.setOrg(state.org().withEwsEnabled(false));
        assertEquals(AccessRules.EwsGate.DISABLED, access.ewsGate(DemoTenant.APP_ID, PROBE));
    }

    @Test
    void testServicePrincipalAuthorizationReadsTheConfigurationNotTheCache() {
        assertTrue(state.removeAssignment(DemoTenant.ASSIGNMENT));
        assertTrue(canReach("alex.wilber@contoso.com"), "the cache still grants it");
        List<Map<String, Object>> checks = access.testAuthorization(DemoTenant.APP_ID, mailbox("alex.wilber@contoso.com"));
        assertEquals(1, checks.size(), "only the Graph assignment is configured now: " + checks);
        assertEquals(DemoTenant.GRAPH_ROLE, checks.get(0).get("RoleName"));
        assertEquals("Mail.ReadBasic", checks.get(0).get("GrantedPermissions"));
        assertEquals(DemoTenant.GRAPH_SCOPE, checks.get(0).get("AllowedResourceScope"));
        assertEquals("CustomRecipientScope", checks.get(0).get("ScopeType"));
        assertEquals(true, checks.get(0).get("InScope"));
        assertEquals(false, access.testAuthorization(DemoTenant.APP_ID, mailbox("support@contoso.com")).get(0)
                .get("InScope"), "a shared mailbox is outside the Graph scope");
    }
}
