package io.impersonationprobe.auth;

import microsoft.exchange.webservices.data.core.ExchangeService;

import java.time.Instant;

/**
 * Makes an EWS request carry a tenant's credentials. App-only OAuth sets {@code Authorization: Bearer}; the
 * on-premises service account methods set NTLM or Basic credentials on the service.
 */
public interface EwsCredentials {

    /** The credential kind, for reports; never the credential itself. */
    String kind();

    /**
     * Applies the credentials, waiting for a token until {@code deadline} at most; the returned token (or null) tells
     * the caller where it came from.
     */
    AccessToken applyTo(ExchangeService service, Instant deadline) throws TokenException;

    /** EWS answered 401 to these credentials: forget any cached token so the next probe gets a new one. */
    void rejected();
}
