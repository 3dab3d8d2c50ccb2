package io.impersonationprobe.control;

import java.time.Instant;
import java.util.List;

/**
 * What Get-OrganizationConfig says about EWS access for the whole organisation.
 *
 * @param ewsAllowedAppIds   null when no allow list is set
 * @param userAgentAllowed   whether EwsApplicationAccessPolicy (EwsAllowList, EwsBlockList) admits the probe's user agent
 * @param appAllowed         whether this daemon's app may use EWS by all these settings
 */
public record OrganizationState(boolean isDehydrated, boolean ewsEnabled, List<String> ewsAllowedAppIds,
                                String ewsApplicationAccessPolicy, boolean userAgentAllowed, boolean appAllowed,
                                Instant polledAt) {
}
