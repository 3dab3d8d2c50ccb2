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
 * @param basis        what says so: Test-ServicePrincipalAuthorization, or a prediction from Active Directory
 * @param chain        why, for a person: the assignment, group path and scope that decide it; null when the source
 *                     does not say
 * @param fixes        what would change the decision (cmdlets); empty when the source does not say
 * @param changedAt    when the configuration that decides it last changed, as far as the source can tell; null when
 *                     unknown
 */
public record ConfiguredAccess(Decision decision, List<String> covering, List<String> notCovering, Instant checkedAt,
                               String basis, String chain, List<String> fixes, Instant changedAt) {

    /** Exchange Online's Test-ServicePrincipalAuthorization: the configured truth, bypassing the cache. */
    public static final String TEST_AUTHORIZATION = "Test-ServicePrincipalAuthorization";
    /** On-premises: the daemon's prediction from the RBAC objects in Active Directory. */
    public static final String PREDICTION = "prediction from Active Directory";

    public ConfiguredAccess(Decision decision, List<String> covering, List<String> notCovering, Instant checkedAt) {
        this(decision, covering, notCovering, checkedAt, TEST_AUTHORIZATION, null, List.of(), null);
    }

    /** True when the daemon predicted this from the directory rather than asking Exchange. */
    public boolean predicted() {
        return PREDICTION.equals(basis);
    }

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
