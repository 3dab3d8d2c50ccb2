package io.impersonationprobe.control;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/**
 * What Exchange Online decides today for the daemon's app over EWS, from the organisation's settings (the rules in
 * force since 2026-10-10): the {@code decision} label of {@code impersonation_org_ews_app_decision}.
 */
public enum EwsAppDecision {
    ALLOWED(true, "EwsEnabled is True and EwsAllowedAppIDs lists this app"),
    ALLOWED_FOR_NOW(true, "EwsEnabled is not set ($null): EWS is allowed until Microsoft switches the tenant to False "
            + "(announced in Message Center 7 days ahead); set EwsEnabled $true and list the app in EwsAllowedAppIDs to "
            + "keep it"),
    BLOCKED_EWS_DISABLED(false, "EwsEnabled is False: every EWS request of the organisation is refused"),
    BLOCKED_ALLOW_LIST_EMPTY(false, "EwsEnabled is True and EwsAllowedAppIDs is empty: every EWS request is refused"),
    BLOCKED_NOT_IN_ALLOW_LIST(false, "EwsEnabled is True and EwsAllowedAppIDs does not list this app"),
    BLOCKED_USER_AGENT(false, "EwsApplicationAccessPolicy refuses the probe's user agent (EwsAllowList/EwsBlockList)"),
    UNKNOWN(null, "the organisation's EWS settings could not be read completely");

    private final Boolean allows;
    private final String reason;

    EwsAppDecision(Boolean allows, String reason) {
        this.allows = allows;
        this.reason = reason;
    }

    /** True when Exchange lets the app use EWS, false when it refuses, null when the settings do not tell. */
    public Boolean allows() {
        return allows;
    }

    /** Why, for a person to read. */
    public String reason() {
        return reason;
    }

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
