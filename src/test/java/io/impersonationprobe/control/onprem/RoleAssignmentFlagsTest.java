package io.impersonationprobe.control.onprem;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** msExchRoleAssignmentFlags as LDAP sends it (signed decimal) decoded into what decides a grant. */
class RoleAssignmentFlagsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // hex (for the reader), enabled, assignee type, delegation, recipient read, recipient write, grants
            "8001000002000002, true, User, Regular, Organization, Organization, true",
            "0001000002000002, false, User, Regular, Organization, Organization, false",
            "9001000002000007, true, SecurityGroup, Regular, Organization, CustomRecipientScope, true",
            "800100000200000D, true, User, Regular, Organization, ExclusiveRecipientScope, true",
            "D002000002000002, true, RoleGroup, Delegating, Organization, Organization, false",
            "D006000002000002, true, RoleGroup, DelegatingOrgWide, Organization, Organization, false",
            "8001000006000006, true, User, Regular, OU, OU, true",
            "A001000002000002, true, RoleAssignmentPolicy, Regular, Organization, Organization, true",
    })
    void decodes(String hex, boolean enabled, String assignee, String delegation, String read, String write,
                 boolean grants) {
        String signedDecimal = Long.toString(Long.parseUnsignedLong(hex, 16));
        RoleAssignmentFlags flags = RoleAssignmentFlags.parse(signedDecimal).orElseThrow();
        assertEquals(enabled, flags.enabled());
        assertEquals(assignee, flags.assigneeTypeName());
        assertEquals(delegation, flags.delegationName());
        assertEquals(read, RoleAssignmentFlags.scopeTypeName(flags.recipientReadScope()));
        assertEquals(write, RoleAssignmentFlags.scopeTypeName(flags.recipientWriteScope()));
        assertEquals(grants, flags.grants());
    }
}
