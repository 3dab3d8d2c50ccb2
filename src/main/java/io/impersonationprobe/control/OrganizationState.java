package io.impersonationprobe.control;

import java.time.Instant;
import java.util.List;

/**
 * What Get-OrganizationConfig says about EWS access for the whole organisation.
 *
 * @param ewsAllowedAppIds null when no allow list is set
 * @param appAllowed       whether this daemon's app may use EWS by these settings
 */
public record OrganizationState(boolean isDehydrated, boolean ewsEnabled, List<String> ewsAllowedAppIds,
                                boolean appAllowed, Instant polledAt) {
}
