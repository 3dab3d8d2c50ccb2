package io.impersonationprobe.api;

import io.impersonationprobe.Sha256;
import io.impersonationprobe.config.ApiKey;
import io.impersonationprobe.config.ApiRole;
import io.impersonationprobe.config.ValidatedConfig;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.security.MessageDigest;
import java.util.List;

/**
 * Turns a presented API key into the caller it belongs to. Only SHA-256 hashes are held; the presented key is hashed
 * and compared with every configured hash in constant time, so neither the timing nor an early exit tells an
 * attacker how close a guess came.
 */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {
    private final List<ApiKey> keys;

    @Inject
    public ApiKeyIdentityProvider(ValidatedConfig config) {
        this.keys = config.apiKeys();
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        ApiKey match = find(request.getToken().getToken());
        if (match == null) {
            return Uni.createFrom().failure(new AuthenticationFailedException("unknown API key"));
        }
        QuarkusSecurityIdentity.Builder identity = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(match.caller()));
        match.roles().stream().map(ApiRole::label).forEach(identity::addRole);
        return Uni.createFrom().item(identity.build());
    }

    ApiKey find(String presented) {
        byte[] hash = Sha256.of(presented);
        ApiKey match = null;
        for (ApiKey key : keys) {
            // Every key is compared, match or not.
            if (MessageDigest.isEqual(hash, key.sha256())) {
                match = key;
            }
        }
        return match;
    }
}
