package io.impersonationprobe.probe;

import microsoft.exchange.webservices.data.core.EwsUtilities;

/** What the daemon calls itself on the wire, as admins see it in IIS logs and match it in EWS access policies. */
public final class UserAgent {
    /** The product name every request starts its User-Agent with. */
    public static final String PRODUCT = "impersonation-probe";
    /** The User-Agent of EWS requests, as ews-java-api composes it from ours and its own name. */
    public static final String EWS = PRODUCT + " (ExchangeServicesClient/" + EwsUtilities.getBuildVersion() + ")";

    private UserAgent() {
    }
}
