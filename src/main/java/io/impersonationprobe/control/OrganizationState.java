package io.impersonationprobe.control;

import java.time.Instant;
import java.util.List;

/**
 * What Get-OrganizationConfig (with RetrieveEwsOperationAccessPolicy) says about EWS access for the whole
 * organisation, and what Exchange decides from it for the daemon's app. A property the daemon could not read is null
 * (or {@link EwsEnabled#UNKNOWN}) and named in {@code unreadable}.
 *
 * @param isDehydrated       null when unreadable
 * @param ewsAllowedAppIds   the allow list, empty when none is set; null when unreadable or not returned
 * @param userAgentAllowed   whether EwsApplicationAccessPolicy (EwsAllowList, EwsBlockList) admits the probe's user
 *                           agent; null when unreadable
 * @param decision           what Exchange decides for the daemon's app today
 * @param unreadable         the properties read as unknown, such as {@code EwsEnabled}
 */
public record OrganizationState(Boolean isDehydrated, EwsEnabled ewsEnabled, List<String> ewsAllowedAppIds,
                                String ewsApplicationAccessPolicy, Boolean userAgentAllowed, EwsAppDecision decision,
                                List<String> unreadable, Instant polledAt) {

    public OrganizationState {
        ewsEnabled = ewsEnabled == null ? EwsEnabled.UNKNOWN : ewsEnabled;
        decision = decision == null ? EwsAppDecision.UNKNOWN : decision;
        unreadable = unreadable == null ? List.of() : List.copyOf(unreadable);
    }

    /** True only when the organisation is known to be dehydrated. */
    public boolean dehydrated() {
        return Boolean.TRUE.equals(isDehydrated);
    }

    /** True only when Exchange is known to let the app use EWS. */
    public boolean appAllowed() {
        return Boolean.TRUE.equals(decision.allows());
    }

    /** True only when Exchange is known to refuse the app. */
    public boolean appBlocked() {
        return Boolean.FALSE.equals(decision.allows());
    }
}
