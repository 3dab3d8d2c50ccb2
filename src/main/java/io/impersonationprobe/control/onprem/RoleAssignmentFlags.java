package io.impersonationprobe.control.onprem;

import java.util.Optional;

/**
 * {@code msExchRoleAssignmentFlags} decoded: a signed 64-bit Integer8 (often negative in LDAP, as bit 63 is
 * "enabled") packing the assignment's state. Bit 63 enabled; 59–62 assignee type; 48–51 delegation; 40–44 config
 * read scope; 32–36 config write scope; 24–28 recipient read scope; 0–4 recipient write scope.
 */
record RoleAssignmentFlags(boolean enabled, int assigneeType, int delegation, int configReadScope,
                           int configWriteScope, int recipientReadScope, int recipientWriteScope) {

    static final int REGULAR = 1;
    static final int DELEGATING = 2;
    static final int DELEGATING_ORG_WIDE = 6;

    /** Exchange's ScopeType values that a recipient scope of an impersonation assignment takes. */
    static final int SCOPE_ORGANIZATION = 2;
    static final int SCOPE_OU = 6;
    static final int SCOPE_CUSTOM = 7;
    static final int SCOPE_EXCLUSIVE = 13;

    static RoleAssignmentFlags decode(long flags) {
        return new RoleAssignmentFlags(flags < 0, bits(flags, 59, 4), bits(flags, 48, 4), bits(flags, 40, 5),
                bits(flags, 32, 5), bits(flags, 24, 5), bits(flags, 0, 5));
    }

    /** Parses the attribute's decimal text; empty for text that is not a 64-bit integer. */
    static Optional<RoleAssignmentFlags> parse(String value) {
        try {
            return Optional.of(decode(Long.parseLong(value.strip())));
        } catch (NumberFormatException | NullPointerException e) {
            return Optional.empty();
        }
    }

    private static int bits(long flags, int from, int width) {
        return (int) ((flags >>> from) & ((1L << width) - 1));
    }

    /** Only an enabled, Regular assignment lets its assignee use the role; a delegating one only passes it on. */
    boolean grants() {
        return enabled && delegation == REGULAR;
    }

    String assigneeTypeName() {
        return switch (assigneeType) {
            case 0 -> "User";
            case 2 -> "SecurityGroup";
            case 4 -> "RoleAssignmentPolicy";
            case 10 -> "RoleGroup";
            case 12 -> "LinkedRoleGroup";
            case 14 -> "Computer";
            default -> "Unknown(" + assigneeType + ")";
        };
    }

    String delegationName() {
        return switch (delegation) {
            case REGULAR -> "Regular";
            case DELEGATING -> "Delegating";
            case DELEGATING_ORG_WIDE -> "DelegatingOrgWide";
            default -> "Unknown(" + delegation + ")";
        };
    }

    static String scopeTypeName(int scope) {
        return switch (scope) {
            case 0 -> "None";
            case 1 -> "NotApplicable";
            case SCOPE_ORGANIZATION -> "Organization";
            case 3 -> "MyGAL";
            case 4 -> "Self";
            case SCOPE_OU -> "OU";
            case SCOPE_CUSTOM -> "CustomRecipientScope";
            case SCOPE_EXCLUSIVE -> "ExclusiveRecipientScope";
            default -> "Unknown(" + scope + ")";
        };
    }
}
