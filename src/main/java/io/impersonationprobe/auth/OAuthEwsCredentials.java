package io.impersonationprobe.auth;

import io.impersonationprobe.config.AuthMethod;
import microsoft.exchange.webservices.data.core.ExchangeService;

import java.time.Instant;

/** App-only OAuth for EWS (client secret or certificate): a bearer token from the tenant's {@link TokenSource}. */
public final class OAuthEwsCredentials implements EwsCredentials {
    private final AuthMethod method;
    private final TokenSource tokens;

    public OAuthEwsCredentials(AuthMethod method, TokenSource tokens) {
        this.method = method;
        this.tokens = tokens;
    }

    @Override
    public String kind() {
        return "oauth-" + method.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    @Override
    public AccessToken applyTo(ExchangeService service, Instant deadline) throws TokenException {
        AccessToken token = tokens.token(deadline);
        service.getHttpHeaders().put("Authorization", "Bearer " + token.value());
        return token;
    }

    @Override
    public void rejected() {
        tokens.rejected();
    }
}
