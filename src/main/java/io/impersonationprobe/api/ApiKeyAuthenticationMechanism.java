package io.impersonationprobe.api;

import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;
import java.util.Optional;

/**
 * Reads an API key from {@code Authorization: Bearer <key>} (what Prometheus' {@code authorization} block sends) or
 * {@code X-API-Key: <key>}; with OIDC configured, a bearer value shaped like a JWT is verified as an OIDC token
 * instead. A request without either is anonymous; endpoints that need a role answer 401.
 */
@ApplicationScoped
public class ApiKeyAuthenticationMechanism implements HttpAuthenticationMechanism {
    static final String BEARER = "bearer ";

    @jakarta.inject.Inject
    OidcBearer oidc;

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        String key = presentedKey(context);
        if (key == null) {
            return Uni.createFrom().optional(Optional.empty());
        }
        AuthenticationRequest request = oidc.enabled() && OidcBearer.looksLikeJwt(key)
                ? new OidcIdentityProvider.OidcTokenRequest(key)
                : new TokenAuthenticationRequest(new TokenCredential(key, "api-key"));
        HttpSecurityUtils.setRoutingContextAttribute(request, context);
        return identities.authenticate(request);
    }

    private static String presentedKey(RoutingContext context) {
        String authorization = context.request().getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String key = authorization.substring(BEARER.length()).strip();
            return key.isEmpty() ? null : key;
        }
        String header = context.request().getHeader("X-API-Key");
        return header == null || header.isBlank() ? null : header.strip();
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"impersonation-probe\""));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenAuthenticationRequest.class, OidcIdentityProvider.OidcTokenRequest.class);
    }
}
