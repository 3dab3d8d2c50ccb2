package io.impersonationprobe.api;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.BaseAuthenticationRequest;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Turns an OIDC bearer token into a caller; verification may fetch the issuer's keys, so it runs off the event loop. */
@ApplicationScoped
public class OidcIdentityProvider implements IdentityProvider<OidcIdentityProvider.OidcTokenRequest> {

    /** A bearer token that looks like a JWT, while OIDC is configured. */
    public static final class OidcTokenRequest extends BaseAuthenticationRequest {
        private final String token;

        OidcTokenRequest(String token) {
            this.token = token;
        }

        String token() {
            return token;
        }
    }

    @Inject
    OidcBearer oidc;

    @Override
    public Class<OidcTokenRequest> getRequestType() {
        return OidcTokenRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(OidcTokenRequest request, AuthenticationRequestContext context) {
        return context.runBlocking(() -> oidc.identify(request.token()));
    }
}
