package io.impersonationprobe.api;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.BaseAuthenticationRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Turns an OIDC bearer token into a caller without holding a thread: a token waiting for the issuer's keys waits on
 * the one shared fetch, and the answer goes on on the request's own event-loop context.
 */
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
        Context caller = Vertx.currentContext();
        Uni<SecurityIdentity> identity = Uni.createFrom().completionStage(() -> oidc.identify(request.token()));
        return caller == null ? identity : identity.emitOn(task -> caller.runOnContext(ignored -> task.run()));
    }
}
