package io.impersonationprobe.simulator;

/**
 * The bit fields Exchange packs into {@code msExchRoleAssignmentFlags} (a signed 64-bit Integer8) and
 * {@code msExchScopeFlags}: bit 63 enabled; bits 59–62 the assignee type; bits 48–51 regular or delegating;
 * bits 24–28 the recipient read scope; bits 0–4 the recipient write scope. A scope's low byte is its restriction
 * type (3: recipients) and bit 31 makes it exclusive.
 */
final class RbacFlags {
    static final int USER = 0;
    static final int SECURITY_GROUP = 2;
    static final int ROLE_GROUP = 10;
    static final int REGULAR = 1;
    static final int DELEGATING = 2;
    static final int ORGANIZATION = 2;
    static final int ORGANIZATIONAL_UNIT = 6;
    static final int CUSTOM_RECIPIENT_SCOPE = 7;
    static final int EXCLUSIVE_RECIPIENT_SCOPE = 13;
    static final int RECIPIENT_SCOPE = 3;

    private static final long ENABLED = 1L << 63;
    private static final int EXCLUSIVE = 1 << 31;

    private RbacFlags() {
    }

    /** Flags as Exchange writes them; the recipient read scope is the whole organisation. */
    static long assignment(boolean enabled, int assigneeType, int delegation, int writeScope) {
        return (enabled ? ENABLED : 0) | (long) assigneeType << 59 | (long) delegation << 48
                | (long) ORGANIZATION << 24 | writeScope;
    }

    static boolean enabled(long flags) {
        return (flags & ENABLED) != 0;
    }

    static long withEnabled(long flags, boolean enabled) {
        return enabled ? flags | ENABLED : flags & ~ENABLED;
    }

    static int assigneeType(long flags) {
        return (int) (flags >>> 59 & 0xf);
    }

    static int delegation(long flags) {
        return (int) (flags >>> 48 & 0xf);
    }

    static int writeScope(long flags) {
        return (int) (flags & 0x1f);
    }

    static int scopeFlags(boolean exclusive) {
        return (exclusive ? EXCLUSIVE : 0) | RECIPIENT_SCOPE;
    }

    static boolean exclusive(int scopeFlags) {
        return (scopeFlags & EXCLUSIVE) != 0;
    }

    static boolean recipientScope(int scopeFlags) {
        return (scopeFlags & 0xff) == RECIPIENT_SCOPE;
    }

    static String assigneeTypeName(int type) {
        return switch (type) {
            case USER -> "User";
            case SECURITY_GROUP -> "SecurityGroup";
            case 4 -> "RoleAssignmentPolicy";
            case ROLE_GROUP -> "RoleGroup";
            case 12 -> "LinkedRoleGroup";
            case 14 -> "Computer";
            default -> "Unknown(" + type + ")";
        };
    }

    static String delegationName(int delegation) {
        return switch (delegation) {
            case REGULAR -> "Regular";
            case DELEGATING -> "Delegating";
            case 6 -> "DelegatingOrgWide";
            default -> "Unknown(" + delegation + ")";
        };
    }

    static String writeScopeName(int writeScope) {
        return switch (writeScope) {
            case ORGANIZATION -> "Organization";
            case ORGANIZATIONAL_UNIT -> "OU";
            case CUSTOM_RECIPIENT_SCOPE -> "CustomRecipientScope";
            case EXCLUSIVE_RECIPIENT_SCOPE -> "ExclusiveRecipientScope";
            default -> "Other(" + writeScope + ")";
        };
    }
}
