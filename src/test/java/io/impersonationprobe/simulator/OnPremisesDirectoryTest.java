package io.impersonationprobe.simulator;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;
import com.unboundid.util.StaticUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The on-premises tenant's directory read with an LDAP client, against the layout Exchange documents for RBAC in
 * Active Directory (names, places and value types as FACTS.md gives them, not as the simulator writes them).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnPremisesDirectoryTest {
    private static final String CONFIG = "CN=Configuration,DC=fabrikam,DC=local";
    private static final String EXCHANGE = "CN=Microsoft Exchange,CN=Services," + CONFIG;
    private static final String READER = "CN=svc-rbac-reader,OU=Service Accounts,DC=fabrikam,DC=local";
    private static final String ADMIN = "CN=Administrator,CN=Users,DC=fabrikam,DC=local";

    private Simulator simulator;

    @BeforeAll
    void start() {
        simulator = Simulator.start(SimulatorOptions.defaults());
    }

    @AfterAll
    void stop() {
        simulator.close();
    }

    @BeforeEach
    void reset() {
        simulator.reset();
    }

    private LDAPConnection connect() throws LDAPException {
        return new LDAPConnection("127.0.0.1", simulator.ldapPort());
    }

    private LDAPConnection reader() throws LDAPException {
        LDAPConnection connection = connect();
        connection.bind(READER, OnPremisesDemo.READER_PASSWORD);
        return connection;
    }

    @Test
    void theRootDseNamesTheNamingContextsToAnyoneAndTheRestNeedsABind() throws Exception {
        try (LDAPConnection anonymous = connect()) {
            SearchResultEntry root = anonymous.getEntry("", "*", "+");
            assertEquals(CONFIG, root.getAttributeValue("configurationNamingContext"));
            assertEquals("DC=fabrikam,DC=local", root.getAttributeValue("defaultNamingContext"));
            LDAPException refused = assertThrows(LDAPException.class, () -> anonymous.search(CONFIG, SearchScope.SUB,
                    "(objectClass=*)"));
            assertEquals(ResultCode.OPERATIONS_ERROR, refused.getResultCode());
            assertTrue(refused.getDiagnosticMessage().startsWith("000004DC"), refused.getDiagnosticMessage());
        }
        try (LDAPConnection wrong = connect()) {
            assertThrows(LDAPException.class, () -> wrong.bind(READER, "not-the-password"));
        }
    }

    @Test
    void rbacLivesUnderTheOrganisationContainerAsExchangeLaysItOut() throws Exception {
        try (LDAPConnection ldap = reader()) {
            SearchResult orgs = ldap.search(EXCHANGE, SearchScope.ONE, "(objectClass=msExchOrganizationContainer)", "cn");
            assertEquals(1, orgs.getEntryCount());
            String rbac = "CN=RBAC," + orgs.getSearchEntries().get(0).getDN();

            SearchResult roles = ldap.search("CN=Roles," + rbac, SearchScope.SUB,
                    "(&(objectClass=msExchRole)(msExchRoleEntries=*Impersonate-ExchangeUser*))", "msExchRoleType",
                    "msExchRoleEntries");
            assertEquals(1, roles.getEntryCount(), "selected by entry: the view-only role has no such entry");
            SearchResultEntry impersonation = roles.getSearchEntries().get(0);
            assertEquals("CN=ApplicationImpersonation,CN=Roles," + rbac, impersonation.getDN());
            assertEquals(14, impersonation.getAttributeValueAsInteger("msExchRoleType"));
            assertTrue(Arrays.asList(impersonation.getAttributeValues("msExchRoleEntries"))
                    .contains("a,Impersonate-ExchangeUser"));

            // Integer8, signed: an enabled assignment (bit 63) reads back negative.
            assertEquals(0x8001000002000007L, flags(ldap, rbac, "Sales impersonation"), "enabled, User, Regular, custom");
            assertEquals(0x9001000002000007L, flags(ldap, rbac, "Rooms impersonation"), "enabled, SecurityGroup");
            assertEquals(0x0001000002000007L, flags(ldap, rbac, "Finance impersonation"), "disabled");
            assertEquals(0x800100000200000DL, flags(ldap, rbac, "Board room booking"), "exclusive write scope");
            assertEquals(0xD002000002000002L, flags(ldap, rbac,
                    "ApplicationImpersonation-Organization Management-Delegating"), "RoleGroup, Delegating, Organization");
            SearchResultEntry rooms = assignment(ldap, rbac, "Rooms impersonation");
            assertTrue(rooms.getAttributeValue("msExchRoleAssignmentFlags").startsWith("-"));
            assertEquals("CN=ApplicationImpersonation,CN=Roles," + rbac, rooms.getAttributeValue("msExchRoleLink"));
            assertEquals("CN=Service Accounts,OU=Groups,DC=fabrikam,DC=local", rooms.getAttributeValue("msExchUserLink"));
            assertEquals("CN=Rooms,CN=Scopes," + rbac, rooms.getAttributeValue("msExchDomainRestrictionLink"));
            assertNotNull(StaticUtils.decodeGeneralizedTime(rooms.getAttributeValue("whenChanged")));

            SearchResultEntry roomScope = ldap.getEntry("CN=Rooms,CN=Scopes," + rbac);
            assertEquals("(RecipientTypeDetails -eq 'RoomMailbox')", roomScope.getAttributeValue("msExchQueryFilter"));
            assertEquals("OU=Resources,DC=fabrikam,DC=local", roomScope.getAttributeValue("msExchScopeRoot"));
            assertEquals(3, roomScope.getAttributeValueAsInteger("msExchScopeFlags"), "recipient scope, not exclusive");
            int board = ldap.getEntry("CN=Board,CN=Scopes," + rbac).getAttributeValueAsInteger("msExchScopeFlags");
            assertEquals(3, board & 0xff);
            assertTrue(board < 0, "bit 31: exclusive");
        }
    }

    private static SearchResultEntry assignment(LDAPConnection ldap, String rbac, String name) throws LDAPException {
        return ldap.getEntry("CN=" + name + ",CN=Role Assignments," + rbac);
    }

    private static long flags(LDAPConnection ldap, String rbac, String name) throws LDAPException {
        return assignment(ldap, rbac, name).getAttributeValueAsLong("msExchRoleAssignmentFlags");
    }

    @Test
    void tokenGroupsHoldTheTransitiveGlobalAndUniversalGroupsOnABaseRead() throws Exception {
        try (LDAPConnection ldap = reader()) {
            String svc = "CN=svc-probe,OU=Service Accounts,DC=fabrikam,DC=local";
            SearchResultEntry account = ldap.searchForEntry(new SearchRequest(svc, SearchScope.BASE, "(objectClass=*)",
                    "objectSid", "tokenGroupsGlobalAndUniversal", "memberOf"));
            Set<String> groups = Arrays.stream(account.getAttribute("tokenGroupsGlobalAndUniversal").getValueByteArrays())
                    .map(OnPremisesDirectoryTest::sidText).collect(Collectors.toSet());
            assertEquals(Set.of(sidOf(ldap, "EWS Apps"), sidOf(ldap, "Service Accounts")), groups,
                    "nested 'Service Accounts' included, the domain-local 'Mailbox Tools' not");
            assertTrue(sidText(account.getAttributeValueBytes("objectSid")).startsWith("S-1-5-21-"));
            assertEquals(Set.of("CN=EWS Apps,OU=Groups,DC=fabrikam,DC=local",
                    "CN=Mailbox Tools,OU=Groups,DC=fabrikam,DC=local"), Set.of(account.getAttributeValues("memberOf")),
                    "memberOf: direct groups only");
            SearchResultEntry bySubtree = ldap.searchForEntry("OU=Service Accounts,DC=fabrikam,DC=local",
                    SearchScope.SUB, "(sAMAccountName=svc-probe)", "tokenGroupsGlobalAndUniversal");
            assertNull(bySubtree.getAttribute("tokenGroupsGlobalAndUniversal"), "constructed on a base read only");
        }
    }

    private static String sidOf(LDAPConnection ldap, String group) throws LDAPException {
        return sidText(ldap.getEntry("CN=" + group + ",OU=Groups,DC=fabrikam,DC=local", "objectSid")
                .getAttributeValueBytes("objectSid"));
    }

    /** The documented binary SID layout: revision, count, 48-bit big-endian authority, 32-bit little-endian parts. */
    private static String sidText(byte[] sid) {
        long authority = 0;
        for (int i = 2; i < 8; i++) {
            authority = authority << 8 | (sid[i] & 0xff);
        }
        StringBuilder text = new StringBuilder("S-" + sid[0] + "-" + authority);
        for (int i = 0; i < sid[1]; i++) {
            int at = 8 + 4 * i;
            long part = (sid[at] & 0xffL) | (sid[at + 1] & 0xffL) << 8 | (sid[at + 2] & 0xffL) << 16
                    | (sid[at + 3] & 0xffL) << 24;
            text.append('-').append(part);
        }
        return text.toString();
    }

    @Test
    void mailboxesCarryTheAttributesScopeFiltersName() throws Exception {
        try (LDAPConnection ldap = reader()) {
            SearchResultEntry victor = ldap.searchForEntry("DC=fabrikam,DC=local", SearchScope.SUB,
                    "(proxyAddresses=SMTP:victor.hale@fabrikam.com)", "department", "title", "mail",
                    "msExchRecipientTypeDetails", "proxyAddresses", "mailNickname");
            assertEquals("Sales", victor.getAttributeValue("department"));
            assertEquals("victor.hale@fabrikam.com", victor.getAttributeValue("mail"));
            assertEquals(1L, victor.getAttributeValueAsLong("msExchRecipientTypeDetails"), "UserMailbox");
            assertTrue(Arrays.asList(victor.getAttributeValues("proxyAddresses")).contains("SMTP:victor.hale@fabrikam.com"));
            SearchResult rooms = ldap.search("DC=fabrikam,DC=local", SearchScope.SUB, "(msExchRecipientTypeDetails=16)",
                    "mail");
            assertEquals(Set.of("room.alder@fabrikam.com", "room.birch@fabrikam.com", "boardroom@fabrikam.com"),
                    rooms.getSearchEntries().stream().map(e -> e.getAttributeValue("mail")).collect(Collectors.toSet()));
        }
    }

    @Test
    void aPagedSearchWalksTheDirectoryPageByPage() throws Exception {
        try (LDAPConnection ldap = reader()) {
            int pages = 0;
            int entries = 0;
            ASN1OctetString cookie = null;
            do {
                SearchRequest request = new SearchRequest("DC=fabrikam,DC=local", SearchScope.SUB,
                        Filter.create("(objectClass=user)"), "sAMAccountName");
                request.setControls(new SimplePagedResultsControl(3, cookie));
                SearchResult page = ldap.search(request);
                pages++;
                entries += page.getEntryCount();
                cookie = SimplePagedResultsControl.get(page).getCookie();
            } while (cookie != null && cookie.getValueLength() > 0);
            assertEquals(12, entries, "4 accounts and 8 mailboxes");
            assertEquals(4, pages);
        }
    }

    @Test
    void onlyTheAdministratorWritesAndWhenChangedFollowsTheSimulatorsClock() throws Exception {
        String assignment = "CN=Finance impersonation,CN=Role Assignments,CN=RBAC,CN=Fabrikam," + EXCHANGE;
        Modification enable = new Modification(ModificationType.REPLACE, "msExchRoleAssignmentFlags",
                String.valueOf(0x8001000002000007L));
        try (LDAPConnection ldap = reader()) {
            LDAPException refused = assertThrows(LDAPException.class, () -> ldap.modify(assignment, enable));
            assertEquals(ResultCode.INSUFFICIENT_ACCESS_RIGHTS, refused.getResultCode());
        }
        Instant moved = simulator.tenant().clock().advance(Duration.ofDays(3));
        try (LDAPConnection admin = connect()) {
            admin.bind(ADMIN, OnPremisesDemo.ADMIN_PASSWORD);
            admin.modify(assignment, enable);
            Instant changed = StaticUtils.decodeGeneralizedTime(admin.getEntry(assignment, "whenChanged")
                    .getAttributeValue("whenChanged")).toInstant();
            assertTrue(!changed.isBefore(moved.minusSeconds(1)), changed + " is the simulator's time, " + moved);
            LDAPException backLink = assertThrows(LDAPException.class, () -> admin.modify(
                    "CN=svc-probe,OU=Service Accounts,DC=fabrikam,DC=local",
                    new Modification(ModificationType.ADD, "memberOf", "CN=Board,OU=Groups,DC=fabrikam,DC=local")));
            assertEquals(ResultCode.UNWILLING_TO_PERFORM, backLink.getResultCode());
        }
    }

    @Test
    void sidsEncodeAsActiveDirectoryStoresThem() {
        // BUILTIN\Administrators, S-1-5-32-544, as Windows stores it.
        assertArrayEquals(new byte[]{1, 2, 0, 0, 0, 0, 0, 5, 0x20, 0, 0, 0, 0x20, 0x02, 0, 0},
                OnPremisesDemo.sid("S-1-5-32-544"));
        assertEquals("S-1-5-21-3623811015-3361044348-30300820-1105",
                sidText(OnPremisesDemo.sid("S-1-5-21-3623811015-3361044348-30300820-1105")));
    }
}
