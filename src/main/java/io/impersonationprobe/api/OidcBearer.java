package io.impersonationprobe.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.Printable;
import io.impersonationprobe.config.ApiRole;
import io.impersonationprobe.config.ProbeConfig;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jose4j.jca.ProviderContext;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.jose4j.lang.JoseException;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Verifies OIDC bearer tokens: signature against the issuer's published keys ({@link IssuerKeys}), issuer, audience,
 * expiry, and an allow-list of signature algorithms. The configured app roles map to the API's roles. Off while no
 * issuer is configured. A token that is not a signed JWT with an allowed algorithm is refused before any key is
 * needed, so junk never reaches the issuer; nothing here blocks a thread.
 */
@ApplicationScoped
public class OidcBearer {
    static final Set<String> ALGORITHMS = Set.of(AlgorithmIdentifiers.RSA_USING_SHA256,
            AlgorithmIdentifiers.RSA_PSS_USING_SHA256, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);

    private final ProbeConfig.Api.Oidc config;
    private final IssuerKeys keys;

    @Inject
    public OidcBearer(ProbeConfig config, ObjectMapper json, Clock clock) {
        this.config = config.api().oidc();
        this.keys = this.config.issuer().map(issuer -> new IssuerKeys(issuer, HttpClient.newBuilder()
                .connectTimeout(IssuerKeys.REQUEST_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build(),
                json, clock)).orElse(null);
    }

    public boolean enabled() {
        return keys != null;
    }

    /** A compact JWS has three dot-separated parts; API keys are told apart by not having them. */
    static boolean looksLikeJwt(String token) {
        return token.chars().filter(c -> c == '.').count() == 2;
    }

    /** The caller the token names, with the roles it grants; fails when the token is not valid. */
    public CompletionStage<SecurityIdentity> identify(String token) {
        JsonWebSignature signed;
        try {
            if (!(JsonWebStructure.fromCompactSerialization(token) instanceof JsonWebSignature jws)) {
                return refused("not a signed JWT");
            }
            signed = jws;
        } catch (JoseException e) {
            return refused("not a signed JWT");
        }
        String algorithm = signed.getAlgorithmHeaderValue();
        if (!ALGORITHMS.contains(algorithm)) {
            return refused("signature algorithm '" + Printable.of(String.valueOf(algorithm), 20) + "' is not accepted");
        }
        return keys.forKeyId(signed.getKeyIdHeaderValue()).handle((published, unavailable) -> {
            if (unavailable != null) {
                throw new AuthenticationFailedException("OIDC token not verified: the issuer's keys are unavailable");
            }
            return verify(token, published);
        });
    }

    private static CompletionStage<SecurityIdentity> refused(String reason) {
        return CompletableFuture.failedFuture(new AuthenticationFailedException("OIDC token refused: " + reason));
    }

    private SecurityIdentity verify(String token, List<JsonWebKey> published) {
        URI issuer = config.issuer().orElseThrow();
        JwtClaims claims;
        try {
            claims = new JwtConsumerBuilder()
                    .setRequireExpirationTime()
                    .setAllowedClockSkewInSeconds(120)
                    .setRequireSubject()
                    .setExpectedIssuer(issuer.toString())
                    .setExpectedAudience(config.audience().orElseThrow())
                    .setVerificationKeyResolver(new JwksVerificationKeyResolver(published))
                    .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                            ALGORITHMS.toArray(String[]::new))
                    .setJwsProviderContext(new ProviderContext())
                    .build()
                    .processToClaims(token);
        } catch (InvalidJwtException e) {
            // The reason names what failed (expired, wrong audience, bad signature), never the token.
            throw new AuthenticationFailedException("OIDC token refused: " + reason(e));
        }
        QuarkusSecurityIdentity.Builder identity = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal("oidc:" + caller(claims)));
        List<String> roles = roles(claims);
        if (roles.contains(config.readRole())) {
            identity.addRole(ApiRole.READ.label());
        }
        if (roles.contains(config.checkRole())) {
            identity.addRole(ApiRole.CHECK.label());
        }
        return identity.build();
    }

    private static String reason(InvalidJwtException e) {
        return e.getErrorDetails().isEmpty() ? "invalid token" : e.getErrorDetails().get(0).getErrorMessage()
                .replaceAll("[\\r\\n]", " ");
    }

    private List<String> roles(JwtClaims claims) {
        try {
            if (claims.isClaimValueStringList(config.rolesClaim())) {
                return claims.getStringListClaimValue(config.rolesClaim());
            }
            String single = claims.getStringClaimValue(config.rolesClaim());
            return single == null ? List.of() : List.of(single.split(" "));
        } catch (MalformedClaimException e) {
            return List.of();
        }
    }

    /** The audit log's name for the caller: a person's username, else the client app, else the subject. */
    private static String caller(JwtClaims claims) {
        for (String claim : List.of("preferred_username", "azp", "appid", "sub")) {
            try {
                String value = claims.getStringClaimValue(claim);
                if (value != null && !value.isBlank()) {
                    return Printable.of(value, 128);
                }
            } catch (MalformedClaimException ignored) {
                // try the next claim
            }
        }
        return "unknown";
    }
}
