package io.impersonationprobe.control;

import java.time.Instant;
import java.util.List;

/**
 * What the control plane says about one mailbox, bypassing Exchange's caches: the configured truth that the probes'
 * observed truth is compared with. In Exchange Online it is Test-ServicePrincipalAuthorization's answer.
 *
 * @param decision     whether the configuration lets the daemon act as the mailbox
 * @param covering     what opens it: the scopes of the assignments that cover it ({@code Organization} when unscoped)
 * @param notCovering  the scopes of the daemon's assignments that do not cover it
 */
public record ConfiguredAccess(Decision decision, List<String> covering, List<String> notCovering, Instant checkedAt) {

    public enum Decision {
        /** The configuration lets the daemon act as the mailbox. */
        ALLOW,
        /** It does not. */
        DENY,
        /** The control plane cannot tell (no such mailbox, or a rule the daemon cannot evaluate). */
        UNKNOWN
    }

    /** True when the configuration opens the mailbox. */
    public boolean inScope() {
        return decision == Decision.ALLOW;
    }
}
