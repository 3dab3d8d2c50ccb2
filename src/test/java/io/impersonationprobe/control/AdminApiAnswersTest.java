package io.impersonationprobe.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.control.ConfiguredAccess.Decision;
import io.impersonationprobe.probe.Outcome;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.target.Expectation;
import io.impersonationprobe.target.ProbeKind;
import io.impersonationprobe.target.Target;
import io.impersonationprobe.testing.MovableClock;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API's answers, written from Microsoft's documented shapes (src/test/resources/admin-api, never the
 * simulator's output), read as Exchange means them: tri-state EwsEnabled, the allow list as a string or an array,
 * service principals by ObjectId, and anything undocumented unknown for that property alone.
 */
class AdminApiAnswersTest {
    static final String APP = "6731de76-14a6-49ae-97bc-6eba6914391e";
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<JsonNode> rows(String fixture) throws IOException {
        try (InputStream in = AdminApiAnswersTest.class.getResourceAsStream("/admin-api/" + fixture)) {
            List<JsonNode> rows = new ArrayList<>();
            JSON.readTree(in).get("value").forEach(rows::add);
            return rows;
        }
    }

    static OrganizationState org(String fixture) throws IOException {
        return new AdminApiAnswers().organization(rows(fixture).get(0), APP, NOW);
    }

    @Test
    void aDefaultTenantHasEwsEnabledNullAndIsAllowedForNow() throws IOException {
        OrganizationState org = org("get-organizationconfig-default.json");
        assertEquals(EwsEnabled.NULL, org.ewsEnabled());
        assertEquals(Boolean.FALSE, org.isDehydrated());
        assertEquals(List.of(), org.ewsAllowedAppIds(), "null is no list");
        assertEquals(EwsAppDecision.ALLOWED_FOR_NOW, org.decision());
        assertTrue(org.decision().reason().contains("Microsoft switches"), org.decision().reason());
        assertEquals(List.of(), org.unreadable());
    }

    @Test
    void theAllowListIsOneCommaSeparatedStringAndTheAppIsFoundInAnyCase() throws IOException {
        OrganizationState org = org("get-organizationconfig-allow-list-string.json");
        assertEquals(EwsEnabled.TRUE, org.ewsEnabled());
        assertEquals(3, org.ewsAllowedAppIds().size());
        assertEquals(EwsAppDecision.ALLOWED, org.decision());
        assertTrue(org.appAllowed());
    }

    @Test
    void eachGateBlocksAsDocumented() throws IOException {
        assertEquals(EwsAppDecision.BLOCKED_NOT_IN_ALLOW_LIST, org("get-organizationconfig-allow-list-array.json").decision());
        assertEquals(EwsAppDecision.BLOCKED_ALLOW_LIST_EMPTY, org("get-organizationconfig-true-empty-list.json").decision());
        OrganizationState off = org("get-organizationconfig-false.json");
        assertEquals(EwsAppDecision.BLOCKED_EWS_DISABLED, off.decision(), "False blocks even a listed app");
        assertTrue(off.appBlocked());
    }

    @Test
    void aListNotReturnedIsUnknownNeverNoList() throws IOException {
        OrganizationState org = org("get-organizationconfig-without-switch.json");
        assertNull(org.ewsAllowedAppIds());
        assertEquals(EwsAppDecision.UNKNOWN, org.decision(), "without the list the daemon cannot say allowed");
        assertFalse(org.appAllowed());
        assertFalse(org.appBlocked());
        assertEquals(List.of("Get-OrganizationConfig.EwsAllowedAppIDs"), org.unreadable());
        assertEquals(Boolean.TRUE, org.userAgentAllowed(), "the block list does not name the probe");
    }

    @Test
    void undocumentedTypesAreUnknownPropertyByProperty() throws IOException {
        OrganizationState org = org("get-organizationconfig-odd-types.json");
        assertEquals(Boolean.FALSE, org.isDehydrated(), "the string False is read as documented");
        assertEquals(EwsEnabled.UNKNOWN, org.ewsEnabled());
        assertNull(org.ewsAllowedAppIds());
        assertEquals(Boolean.TRUE, org.userAgentAllowed(), "EwsAllowList as a string still admits impersonation-probe*");
        assertEquals(EwsAppDecision.UNKNOWN, org.decision());
        assertEquals(List.of("Get-OrganizationConfig.EwsAllowedAppIDs"), org.unreadable().stream()
                .filter(p -> p.endsWith("AppIDs")).toList());
        assertTrue(org.unreadable().contains("Get-OrganizationConfig.EwsEnabled"), org.unreadable().toString());
    }

    @Test
    void theDecisionTableOfThe2026Rules() {
        assertEquals(EwsAppDecision.ALLOWED_FOR_NOW, EwsAccessPolicy.decide(EwsEnabled.NULL, List.of("other"), true, APP),
                "under $null the list is not enforced");
        assertEquals(EwsAppDecision.BLOCKED_USER_AGENT, EwsAccessPolicy.decide(EwsEnabled.TRUE, List.of(APP), false, APP),
                "both gates must pass");
        assertEquals(EwsAppDecision.UNKNOWN, EwsAccessPolicy.decide(EwsEnabled.TRUE, List.of(APP), null, APP));
        assertEquals(EwsAppDecision.BLOCKED_EWS_DISABLED, EwsAccessPolicy.decide(EwsEnabled.FALSE, null, null, APP),
                "False blocks whatever else is unknown");
        assertEquals(EwsAppDecision.UNKNOWN, EwsAccessPolicy.decide(EwsEnabled.UNKNOWN, List.of(APP), true, APP));
    }

    @Test
    void exchangeNamesServicePrincipalsByObjectIdAndTheDaemonFindsItsOwnGrant() throws IOException {
        AdminApiAnswers answers = new AdminApiAnswers();
        List<RoleAssignmentInfo> read = answers.roleAssignments(rows("get-managementroleassignment-service-principals.json"));
        assertEquals(4, read.size(), "a row without Name or Role is left out, the rest is read");
        assertTrue(answers.unreadable().contains("Get-ManagementRoleAssignment.Role"), answers.unreadable().toString());
        List<ServicePrincipalInfo> principals = answers.servicePrincipals(rows("get-serviceprincipal.json"));
        AccessConfiguration access = AccessConfiguration.of(read, Map.of("Sales", "Department -eq 'Sales'"), principals);

        List<RoleAssignmentInfo> own = access.assignmentsOf(APP, "Application EWS.AccessAsApp"::equalsIgnoreCase);
        assertEquals(List.of("EWS.AccessAsApp-Sales"), own.stream().map(RoleAssignmentInfo::name).toList());
        RoleAssignmentInfo archiver = access.assignments().get("EWS.AccessAsApp-Archiver");
        assertFalse(access.grantsTo(archiver, APP), "another app's organisation-wide grant is not the daemon's");
        assertEquals("Contoso Archiver (27922004-5251-4030-b22d-91ecd9a37ea4)", access.assigneeOf(archiver));
        assertEquals("Impersonation Probe (" + APP + ")", access.assigneeOf(own.get(0)));
        RoleAssignmentInfo graph = access.assignments().get("Mail.ReadBasic-Sales");
        assertTrue(graph.enabled(), "Enabled as the string True");
        assertEquals(Instant.parse("2025-11-28T08:00:00Z"), graph.whenCreated(), "/Date(ms)/ is read");

        // The daemon's own grant is EFFECTIVE once a probe reaches a mailbox it covers; the other app's is not counted.
        MovableClock clock = new MovableClock(NOW);
        PropagationTracker tracker = new PropagationTracker(clock);
        ConfiguredAccess check = answers.authorization(rows("test-serviceprincipalauthorization.json"),
                "Application EWS.AccessAsApp", NOW);
        assertEquals(Decision.ALLOW, check.decision());
        assertEquals(List.of("Sales"), check.covering());
        Instant since = tracker.coveredSince("contoso", check, own);
        assertEquals(Instant.parse("2026-11-28T08:00:00Z"), since);
        assertEquals(Propagation.EFFECTIVE, tracker.state(check, since, Duration.ofHours(2),
                result(Outcome.OK, NOW)).orElseThrow());
        assertEquals(Propagation.STUCK, tracker.state(check, since, Duration.ofHours(2),
                result(Outcome.IMPERSONATION_DENIED, NOW)).orElseThrow(), "its grant dates back days: not pending");
    }

    @Test
    void notRunIsUnknownAndTheMailboxOwnSettingIsRead() throws IOException {
        JsonNode notRun = JSON.readTree("{\"RoleName\":\"Application EWS.AccessAsApp\",\"AllowedResourceScope\":\"Sales\","
                + "\"InScope\":\"Not Run\"}");
        assertEquals(Decision.UNKNOWN, new AdminApiAnswers().authorization(List.of(notRun),
                "Application EWS.AccessAsApp", NOW).decision());
        assertEquals(EwsEnabled.FALSE, new AdminApiAnswers().casMailboxEwsEnabled(rows("get-casmailbox-ews-disabled.json").get(0)));
    }

    @Test
    void savedStateFromBeforeTheTriStateIsReadBack() throws IOException {
        ObjectMapper json = new ObjectMapper().findAndRegisterModules()
                .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        OrganizationState old = json.readValue("{\"isDehydrated\":false,\"ewsEnabled\":true,\"ewsAllowedAppIds\":null,"
                + "\"userAgentAllowed\":true,\"appAllowed\":true,\"polledAt\":\"2026-11-01T00:00:00Z\"}", OrganizationState.class);
        assertEquals(EwsEnabled.TRUE, old.ewsEnabled());
        assertEquals(EwsAppDecision.UNKNOWN, old.decision(), "the next poll decides again");
        assertEquals("\"null\"", json.writeValueAsString(EwsEnabled.NULL));
    }

    static ProbeResult result(Outcome outcome, Instant at) {
        Target target = new Target("contoso", "sales", "alex.wilber@contoso.com", Expectation.ALLOW);
        return new ProbeResult(target, ProbeKind.EWS, outcome, null, 200, at, Duration.ofMillis(40), "", "", null);
    }
}
