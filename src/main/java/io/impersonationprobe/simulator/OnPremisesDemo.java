package io.impersonationprobe.simulator;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.util.StaticUtils;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * The on-premises tenant the demo and the tests start with, Fabrikam ({@value #DOMAIN}), laid out in its directory
 * as Exchange lays RBAC out in Active Directory. Its service account {@value #PROBE_ACCOUNT} impersonates:
 * <ul>
 *   <li>room mailboxes, through the group 'EWS Apps', nested in 'Service Accounts', which holds the assignment
 *   'Rooms impersonation' with the custom scope 'Rooms' ({@code RecipientTypeDetails -eq 'RoomMailbox'});</li>
 *   <li>the Sales department, through the assignment 'Sales impersonation' with the scope 'Sales' — whose filter also
 *   covers Victor Hale, VP of Sales: the leak;</li>
 *   <li>not the boardroom, a room the exclusive scope 'Board' shields (only the booking system's exclusive assignment
 *   counts for it), nor the CEO;</li>
 *   <li>not Finance: 'Finance impersonation' is disabled.</li>
 * </ul>
 * Organization Management holds ApplicationImpersonation as a delegating assignment only, as Exchange sets it up:
 * its members (the Administrator) may hand the role on but cannot impersonate by it.
 */
public final class OnPremisesDemo {
    public static final String TENANT = "fabrikam";
    public static final String DOMAIN = "fabrikam.local";
    public static final String NETBIOS_DOMAIN = "FABRIKAM";
    public static final String MAIL_DOMAIN = "fabrikam.com";
    /** Where the simulator serves this tenant's EWS; an on-premises server has its own host, the simulator one path. */
    public static final String EWS_PATH = "/fabrikam/EWS/Exchange.asmx";
    public static final String DOMAIN_DN = "DC=fabrikam,DC=local";
    public static final String CONFIGURATION_DN = "CN=Configuration," + DOMAIN_DN;
    public static final String EXCHANGE_DN = "CN=Microsoft Exchange,CN=Services," + CONFIGURATION_DN;
    public static final String ORGANIZATION_DN = "CN=Fabrikam," + EXCHANGE_DN;
    public static final String RBAC_DN = "CN=RBAC," + ORGANIZATION_DN;
    public static final String ROLES_DN = "CN=Roles," + RBAC_DN;
    public static final String ASSIGNMENTS_DN = "CN=Role Assignments," + RBAC_DN;
    public static final String SCOPES_DN = "CN=Scopes," + RBAC_DN;
    public static final String SERVICE_ACCOUNTS_OU = "OU=Service Accounts," + DOMAIN_DN;
    public static final String GROUPS_OU = "OU=Groups," + DOMAIN_DN;
    public static final String STAFF_OU = "OU=Staff," + DOMAIN_DN;
    public static final String RESOURCES_OU = "OU=Resources," + DOMAIN_DN;
    public static final String EXCHANGE_GROUPS_OU = "OU=Microsoft Exchange Security Groups," + DOMAIN_DN;

    /** The account the daemon probes with (NTLM), and its demo-only password. */
    public static final String PROBE_ACCOUNT = "svc-probe";
    public static final String PROBE_PASSWORD = "simulator-fabrikam-probe-secret";
    /** The account the daemon reads the directory with (simple bind), and its demo-only password. */
    public static final String READER_DN = "CN=svc-rbac-reader," + SERVICE_ACCOUNTS_OU;
    public static final String READER_PASSWORD = "simulator-fabrikam-reader-secret";
    /** A domain administrator: may write to the directory over LDAP; a member of Organization Management. */
    public static final String ADMIN_DN = "CN=Administrator,CN=Users," + DOMAIN_DN;
    public static final String ADMIN_ACCOUNT = "Administrator";
    public static final String ADMIN_PASSWORD = "simulator-fabrikam-admin-secret";
    /** The room booking system, the one account the exclusive 'Board' scope lets in. */
    public static final String BOOKING_ACCOUNT = "svc-booking";
    public static final String BOOKING_PASSWORD = "simulator-fabrikam-booking-secret";

    public static final String IMPERSONATION_ROLE = "ApplicationImpersonation";
    /** The role entry that grants impersonation (its second comma-separated field is the cmdlet-like right). */
    public static final String IMPERSONATION_ENTRY = "a,Impersonate-ExchangeUser";
    static final String DOMAIN_SID = "S-1-5-21-3623811015-3361044348-30300820";

    // groupType: security groups have bit 31; 2 global, 4 domain local, 8 universal.
    static final int GLOBAL_SECURITY = 0x80000002;
    static final int DOMAIN_LOCAL_SECURITY = 0x80000004;
    static final int UNIVERSAL_SECURITY = 0x80000008;

    /** Passwords of the accounts that authenticate to EWS; Active Directory never hands them out over LDAP. */
    static final Map<String, String> PASSWORDS = Map.of(PROBE_ACCOUNT, PROBE_PASSWORD, BOOKING_ACCOUNT,
            BOOKING_PASSWORD, ADMIN_ACCOUNT, ADMIN_PASSWORD);

    private OnPremisesDemo() {
    }

    /** The directory's content: its objects were created and last changed a day before {@code seededAt}. */
    static List<Entry> entries(Instant seededAt) {
        String when = StaticUtils.encodeGeneralizedTime(Date.from(seededAt.minus(Duration.ofDays(1))));
        Content c = new Content(when);
        c.add(DOMAIN_DN, List.of("top", "domain", "domainDNS"), "dc", "fabrikam", "name", "fabrikam")
                .addAttribute(new Attribute("objectSid", sid(DOMAIN_SID)));
        c.container(CONFIGURATION_DN, "configuration");
        c.container("CN=Services," + CONFIGURATION_DN, "container");
        c.container(EXCHANGE_DN, "msExchConfigurationContainer");
        c.container(ORGANIZATION_DN, "msExchOrganizationContainer");
        c.container(RBAC_DN, "msExchContainer");
        c.container(ROLES_DN, "msExchContainer");
        c.container(ASSIGNMENTS_DN, "msExchContainer");
        c.container(SCOPES_DN, "msExchContainer");
        for (String ou : List.of(SERVICE_ACCOUNTS_OU, GROUPS_OU, STAFF_OU, RESOURCES_OU, EXCHANGE_GROUPS_OU)) {
            c.add(ou, List.of("top", "organizationalUnit"), "ou", ou.substring(3, ou.indexOf(',')));
        }
        c.container("CN=Users," + DOMAIN_DN, "container");

        c.role(IMPERSONATION_ROLE, 14, IMPERSONATION_ENTRY);
        // A role without the impersonation entry: an assignment of it grants nothing here.
        c.role("View-Only Recipients", 27, "c,Get-Mailbox,Identity,ResultSize", "c,Get-Recipient,Identity,ResultSize");

        c.user(PROBE_ACCOUNT, SERVICE_ACCOUNTS_OU, 1105);
        c.user("svc-rbac-reader", SERVICE_ACCOUNTS_OU, 1106);
        c.user(BOOKING_ACCOUNT, SERVICE_ACCOUNTS_OU, 1107);
        c.user(ADMIN_ACCOUNT, "CN=Users," + DOMAIN_DN, 500);
        c.mailbox("amy.cole", "Amy Cole", STAFF_OU, 1201, "UserMailbox", "Sales", "Account Manager");
        c.mailbox("ben.ross", "Ben Ross", STAFF_OU, 1202, "UserMailbox", "Sales", "Account Manager");
        c.mailbox("victor.hale", "Victor Hale", STAFF_OU, 1203, "UserMailbox", "Sales", "VP of Sales");
        c.mailbox("clara.dunn", "Clara Dunn", STAFF_OU, 1204, "UserMailbox", "Executive", "Chief Executive Officer");
        c.mailbox("fiona.ledger", "Fiona Ledger", STAFF_OU, 1205, "UserMailbox", "Finance", "Controller");
        c.mailbox("room.alder", "Room Alder", RESOURCES_OU, 1301, "RoomMailbox", null, null);
        c.mailbox("room.birch", "Room Birch", RESOURCES_OU, 1302, "RoomMailbox", null, null);
        c.mailbox("boardroom", "Boardroom", RESOURCES_OU, 1303, "RoomMailbox", null, null);

        c.group("EWS Apps", GROUPS_OU, 1401, UNIVERSAL_SECURITY, userDn(PROBE_ACCOUNT, SERVICE_ACCOUNTS_OU));
        c.group("Service Accounts", GROUPS_OU, 1402, UNIVERSAL_SECURITY, "CN=EWS Apps," + GROUPS_OU);
        c.group("Board", GROUPS_OU, 1403, GLOBAL_SECURITY, "CN=Clara Dunn," + STAFF_OU, "CN=Boardroom," + RESOURCES_OU);
        // Domain-local groups are not in tokenGroupsGlobalAndUniversal, so Exchange never sees this one.
        c.group("Mailbox Tools", GROUPS_OU, 1404, DOMAIN_LOCAL_SECURITY, userDn(PROBE_ACCOUNT, SERVICE_ACCOUNTS_OU));
        c.group("Organization Management", EXCHANGE_GROUPS_OU, 1405, UNIVERSAL_SECURITY, ADMIN_DN);

        c.scope("Rooms", RESOURCES_OU, "(RecipientTypeDetails -eq 'RoomMailbox')", false);
        c.scope("Sales", DOMAIN_DN, "(Department -eq 'Sales')", false);
        c.scope("Finance", DOMAIN_DN, "(Department -eq 'Finance')", false);
        c.scope("Board", DOMAIN_DN, "(MemberOfGroup -eq 'CN=Board," + GROUPS_OU + "')", true);

        c.assignment("Rooms impersonation", "CN=Service Accounts," + GROUPS_OU, RbacFlags.SECURITY_GROUP,
                RbacFlags.REGULAR, RbacFlags.CUSTOM_RECIPIENT_SCOPE, "Rooms", true);
        c.assignment("Sales impersonation", userDn(PROBE_ACCOUNT, SERVICE_ACCOUNTS_OU), RbacFlags.USER,
                RbacFlags.REGULAR, RbacFlags.CUSTOM_RECIPIENT_SCOPE, "Sales", true);
        c.assignment("Finance impersonation", userDn(PROBE_ACCOUNT, SERVICE_ACCOUNTS_OU), RbacFlags.USER,
                RbacFlags.REGULAR, RbacFlags.CUSTOM_RECIPIENT_SCOPE, "Finance", false);
        c.assignment("Board room booking", userDn(BOOKING_ACCOUNT, SERVICE_ACCOUNTS_OU), RbacFlags.USER,
                RbacFlags.REGULAR, RbacFlags.EXCLUSIVE_RECIPIENT_SCOPE, "Board", true);
        c.assignment("ApplicationImpersonation-Organization Management-Delegating",
                "CN=Organization Management," + EXCHANGE_GROUPS_OU, RbacFlags.ROLE_GROUP, RbacFlags.DELEGATING,
                RbacFlags.ORGANIZATION, null, true);
        return c.entries;
    }

    static String userDn(String account, String container) {
        return "CN=" + account + "," + container;
    }

    /** A SID in its binary form, as {@code objectSid} and {@code tokenGroupsGlobalAndUniversal} carry it. */
    static byte[] sid(String text) {
        String[] parts = text.split("-");
        int subAuthorities = parts.length - 3;
        ByteBuffer sid = ByteBuffer.allocate(8 + 4 * subAuthorities);
        sid.put((byte) Integer.parseInt(parts[1])).put((byte) subAuthorities);
        long authority = Long.parseLong(parts[2]);
        for (int shift = 40; shift >= 0; shift -= 8) {
            sid.put((byte) (authority >> shift));
        }
        sid.order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 3; i < parts.length; i++) {
            sid.putInt((int) Long.parseLong(parts[i]));
        }
        return sid.array();
    }

    /** Builds the entries, stamping each with the same creation and change time. */
    private static final class Content {
        private final String when;
        private final List<Entry> entries = new ArrayList<>();

        Content(String when) {
            this.when = when;
        }

        Entry add(String dn, List<String> classes, String... attributes) {
            Entry entry = new Entry(dn);
            entry.addAttribute("objectClass", classes.toArray(String[]::new));
            if (dn.startsWith("CN=")) {
                entry.addAttribute("cn", rdnValue(entry));
            }
            entry.addAttribute("distinguishedName", dn);
            entry.addAttribute("whenCreated", when);
            entry.addAttribute("whenChanged", when);
            for (int i = 0; i < attributes.length; i += 2) {
                if (attributes[i + 1] != null) {
                    entry.addAttribute(attributes[i], attributes[i + 1]);
                }
            }
            entries.add(entry);
            return entry;
        }

        private static String rdnValue(Entry entry) {
            try {
                return entry.getParsedDN().getRDN().getAttributeValues()[0];
            } catch (LDAPException e) {
                throw new IllegalArgumentException(entry.getDN(), e);
            }
        }

        void container(String dn, String objectClass) {
            add(dn, List.of("top", objectClass));
        }

        Entry user(String account, String container, int rid) {
            Entry user = add(userDn(account, container), List.of("top", "person", "organizationalPerson", "user"),
                    "sAMAccountName", account, "userPrincipalName", account + "@" + DOMAIN);
            user.addAttribute(new Attribute("objectSid", sid(DOMAIN_SID + "-" + rid)));
            return user;
        }

        void mailbox(String alias, String name, String container, int rid, String type, String department,
                     String title) {
            String smtp = alias + "@" + MAIL_DOMAIN;
            Entry user = add("CN=" + name + "," + container, List.of("top", "person", "organizationalPerson", "user"),
                    "sAMAccountName", alias, "userPrincipalName", alias + "@" + DOMAIN, "displayName", name,
                    "mail", smtp, "mailNickname", alias, "department", department, "title", title,
                    "msExchRecipientTypeDetails", String.valueOf(RecipientTypes.value(type)),
                    "homeMDB", "CN=Mailbox Database 01,CN=Databases,CN=Exchange Administrative Group "
                            + "(FYDIBOHF23SPDLT),CN=Administrative Groups," + ORGANIZATION_DN);
            user.addAttribute("proxyAddresses", "SMTP:" + smtp, "smtp:" + alias + "@" + DOMAIN);
            user.addAttribute(new Attribute("objectSid", sid(DOMAIN_SID + "-" + rid)));
        }

        void group(String name, String container, int rid, int groupType, String... members) {
            Entry group = add("CN=" + name + "," + container, List.of("top", "group"), "sAMAccountName", name,
                    "groupType", String.valueOf(groupType));
            group.addAttribute(new Attribute("objectSid", sid(DOMAIN_SID + "-" + rid)));
            group.addAttribute("member", members);
        }

        void role(String name, int type, String... roleEntries) {
            Entry role = add("CN=" + name + "," + ROLES_DN, List.of("top", "msExchRole"),
                    "msExchRoleType", String.valueOf(type), "msExchRoleFlags", "0");
            role.addAttribute("msExchRoleEntries", roleEntries);
        }

        void scope(String name, String root, String filter, boolean exclusive) {
            add("CN=" + name + "," + SCOPES_DN, List.of("top", "msExchScope"), "msExchScopeRoot", root,
                    "msExchQueryFilter", filter, "msExchScopeFlags", String.valueOf(RbacFlags.scopeFlags(exclusive)));
        }

        void assignment(String name, String assignee, int assigneeType, int delegation, int writeScope, String scope,
                        boolean enabled) {
            add("CN=" + name + "," + ASSIGNMENTS_DN, List.of("top", "msExchRoleAssignment"),
                    "msExchRoleLink", "CN=" + IMPERSONATION_ROLE + "," + ROLES_DN, "msExchUserLink", assignee,
                    "msExchDomainRestrictionLink", scope == null ? null : "CN=" + scope + "," + SCOPES_DN,
                    "msExchRoleAssignmentFlags", String.valueOf(RbacFlags.assignment(enabled, assigneeType, delegation,
                            writeScope)));
        }
    }
}
