package io.impersonationprobe.auth;

import microsoft.exchange.webservices.data.core.ExchangeService;

/** App-only OAuth for EWS: a bearer token from the tenant's {@link TokenSource}. */
public final class OAuthEwsCredentials implements EwsCredentials {
    private final TokenSource tokens;

    public OAuthEwsCredentials(TokenSource tokens) {
        this.tokens = tokens;
    }

    @Override
    public String kind() {
        return "oauth-client-secret";
    }

    @Override
    public AccessToken applyTo(ExchangeService service) throws TokenException {
        AccessToken token = tokens.token();
        service.getHttpHeaders().put("Authorization", "Bearer " + token.value());
        return token;
    }

    @Override
    public void rejected() {
        tokens.rejected();
    }
}
