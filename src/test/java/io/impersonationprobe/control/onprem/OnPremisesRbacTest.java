package io.impersonationprobe.control.onprem;

import io.impersonationprobe.config.DirectorySettings;
import io.impersonationprobe.config.Secret;
import io.impersonationprobe.control.AccessConfiguration;
import io.impersonationprobe.control.ConfiguredAccess;
import io.impersonationprobe.control.ConfiguredAccess.Decision;
import io.impersonationprobe.control.ControlPlaneEvent;
import io.impersonationprobe.control.RoleAssignmentInfo;
import io.impersonationprobe.testing.TestDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The prediction, end to end over LDAP, against a directory laid out as Exchange lays out RBAC in Active Directory. */
class OnPremisesRbacTest {
    static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");
    static final String SCOPES = "CN=Scopes,CN=RBAC,CN=Corp,CN=Microsoft Exchange,CN=Services," + TestDirectory.CONFIGURATION;
    static final String ASSIGNMENTS = "CN=Role Assignments,CN=RBAC,CN=Corp,CN=Microsoft Exchange,CN=Services,"
            + TestDirectory.CONFIGURATION;
    TestDirectory directory;

    @BeforeEach
    void start() throws Exception {
        directory = new TestDirectory("/ldap/exchange-onprem.ldif");
    }

    @AfterEach
    void stop() {
        directory.close();
    }

    static DirectorySettings settings(int port, String account, int pageSize, int sizeLimit, Duration timeout)
            throws Exception {
        return new DirectorySettings("127.0.0.1", port, false, false, TestDirectory.BIND_DN,
                Secret.of(TestDirectory.BIND_PASSWORD), account, timeout, timeout, pageSize, sizeLimit,
                Duration.ofMinutes(20), SSLContext.getDefault());
    }

    OnPremisesSource source(String account) throws Exception {
        return new OnPremisesSource(settings(directory.port(), account, 500, 20000, Duration.ofSeconds(5)),
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void aNestedGroupsAssignmentWithARoomScopeOpensRooms() throws Exception {
        ConfiguredAccess room = source("CORP\\svc-ews").configuredNow("room1@corp.example.com");
        assertEquals(Decision.ALLOW, room.decision(), room.chain());
        assertTrue(room.chain().startsWith("assignment 'Rooms impersonation' → via group 'EWS Apps' (nested in "
                + "'Service Accounts') → scope 'Rooms' (filter `(RecipientTypeDetails -eq 'RoomMailbox')`) matches: "
                + "RecipientTypeDetails = RoomMailbox"), room.chain());
        assertEquals(ConfiguredAccess.PREDICTION, room.basis());
        assertEquals(Instant.parse("2026-11-20T10:00:00Z"), room.changedAt());
    }

    @Test
    void aDerivedRoleCountsByItsEntryAndTheDisabledAndDelegatingAssignmentsAreFindingsNotGrants() throws Exception {
        ConfiguredAccess alex = source("svc-ews@corp.example.com").configuredNow("alex@corp.example.com");
        assertEquals(Decision.ALLOW, alex.decision(), alex.chain());
        assertTrue(alex.chain().contains("assignment 'Sales impersonation' (role 'Limited Impersonation') → directly"),
                alex.chain());
        assertTrue(alex.chain().contains("assignment 'Everything (disabled)' is disabled"), alex.chain());
        ConfiguredAccess megan = source("CORP\\svc-ews").configuredNow("megan@corp.example.com");
        // Organization-wide assignments reach the account only disabled or through a domain-local group.
        assertEquals(Decision.DENY, megan.decision(), megan.chain());
        assertTrue(megan.chain().contains("scope 'Rooms'") && megan.chain().contains("does not match"), megan.chain());
    }

    @Test
    void anExclusiveScopeShieldsTheBoardFromNonExclusiveAssignments() throws Exception {
        ConfiguredAccess ceo = source("CORP\\svc-ews").configuredNow("ceo@corp.example.com");
        assertEquals(Decision.DENY, ceo.decision(), ceo.chain());
        assertTrue(ceo.chain().contains("exclusive scope 'Board', where only exclusive assignments count"), ceo.chain());
        ConfiguredAccess assistant = source("CORP\\assistant").configuredNow("ceo@corp.example.com");
        assertEquals(Decision.ALLOW, assistant.decision(), assistant.chain());
        // The department filter also covers the CFO, who is outside the exclusive scope: the leak and its fixes.
        ConfiguredAccess cfo = source("CORP\\svc-ews").configuredNow("cfo@corp.example.com");
        assertEquals(Decision.ALLOW, cfo.decision(), cfo.chain());
        assertTrue(cfo.fixes().stream().anyMatch(f -> f.startsWith("Set-ManagementScope 'Sales'")), cfo.fixes().toString());
        assertTrue(cfo.fixes().stream().anyMatch(f -> f.startsWith("Set-ManagementRoleAssignment 'Sales impersonation'")));
    }

    @Test
    void withoutTokenGroupsTheMemberOfWalkFindsTheSameNestedGroupsAndSaysWhichRightIsMissing() throws Exception {
        directory.withholdTokenGroups();
        ConfiguredAccess room = source("CORP\\svc-ews").configuredNow("room1@corp.example.com");
        assertEquals(Decision.ALLOW, room.decision(), room.chain());
        assertTrue(room.chain().contains("via group 'EWS Apps' (nested in 'Service Accounts')"), room.chain());
        ConfiguredAccess megan = source("CORP\\svc-ews").configuredNow("megan@corp.example.com");
        assertEquals(Decision.DENY, megan.decision(), "a domain-local group never counts, walked or not");
        assertTrue(megan.chain().contains("Windows Authorization Access"), megan.chain());
    }

    @Test
    void aFilterPropertyTheDaemonCannotEvaluateIsUnknownNotAGuess() throws Exception {
        directory.add("dn: CN=Plans," + SCOPES, "objectClass: msExchScope", "cn: Plans",
                "msExchQueryFilter: (MailboxPlan -eq 'ExchangeOnlineEnterprise')", "msExchScopeFlags: 3");
        directory.add("dn: CN=Plans impersonation," + ASSIGNMENTS, "objectClass: msExchRoleAssignment",
                "cn: Plans impersonation", "msExchRoleLink: CN=ApplicationImpersonation,CN=Roles,CN=RBAC,CN=Corp,"
                        + "CN=Microsoft Exchange,CN=Services," + TestDirectory.CONFIGURATION,
                "msExchUserLink: CN=svc-ews,OU=Service Accounts," + TestDirectory.DOMAIN,
                "msExchDomainRestrictionLink: CN=Plans," + SCOPES,
                "msExchRoleAssignmentFlags: " + 0x8001000002000007L);
        ConfiguredAccess megan = source("CORP\\svc-ews").configuredNow("megan@corp.example.com");
        assertEquals(Decision.UNKNOWN, megan.decision(), megan.chain());
        assertTrue(megan.chain().contains("MailboxPlan cannot be evaluated by the daemon"), megan.chain());
        // Where another assignment decides, the unknown one does not matter.
        assertEquals(Decision.ALLOW, source("CORP\\svc-ews").configuredNow("room1@corp.example.com").decision());
    }

    @Test
    void theRbacViewCountsGrantsAndAMembershipChangeIsAPrincipalGainingAccess() throws Exception {
        OnPremisesSource source = source("CORP\\svc-ews");
        AccessConfiguration before = source.access();
        // Rooms, Sales (a derived role), Board, the domain-local group's: enabled and Regular; not the disabled or delegating.
        assertEquals(4L, before.countByRole().get("ApplicationImpersonation"));
        RoleAssignmentInfo delegating = before.assignments().get(
                "ApplicationImpersonation-Organization Management-Delegating");
        assertEquals("Delegating", delegating.delegation());
        assertFalse(delegating.grants());
        assertFalse(before.assignments().containsKey("Mail Recipients-svc"), "a role without the entry is not read");
        assertEquals("(CustomAttribute1 -eq 'Board') [exclusive]", before.scopes().get("Board"));

        directory.add("dn: CN=intruder,OU=Service Accounts," + TestDirectory.DOMAIN, "objectClass: user",
                "cn: intruder", "sAMAccountName: intruder",
                "memberOf: CN=EWS Apps,OU=Groups," + TestDirectory.DOMAIN);
        AccessConfiguration after = source.access();
        var events = after.changesSince(before, "corp", NOW);
        assertEquals(1, events.size(), events.toString());
        assertEquals(ControlPlaneEvent.Type.PRINCIPAL_GAINED_ACCESS, events.get(0).type());
        assertTrue(events.get(0).description().contains("group 'EWS Apps' (nested in group 'Service Accounts')"),
                events.get(0).description());
    }
}
