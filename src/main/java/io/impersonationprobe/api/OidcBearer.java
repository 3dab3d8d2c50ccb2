package io.impersonationprobe.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.config.ApiRole;
import io.impersonationprobe.config.ProbeConfig;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import org.jose4j.jca.ProviderContext;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Verifies OIDC bearer tokens: signature against the issuer's published keys (found through its discovery document,
 * refreshed when an unknown key id appears), issuer, audience, expiry, and an allow-list of signature algorithms.
 * The configured app roles map to the API's roles. Off while no issuer is configured.
 */
@ApplicationScoped
public class OidcBearer {
    private static final Logger LOG = Logger.getLogger(OidcBearer.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ProbeConfig.Api.Oidc config;
    private final ObjectMapper json;
    private volatile JwtConsumer consumer;

    @Inject
    public OidcBearer(ProbeConfig config, ObjectMapper json) {
        this.config = config.api().oidc();
        this.json = json;
    }

    public boolean enabled() {
        return config.issuer().isPresent();
    }

    /** A compact JWS has three dot-separated parts; API keys are told apart by not having them. */
    static boolean looksLikeJwt(String token) {
        return token.chars().filter(c -> c == '.').count() == 2;
    }

    /** The caller the token names, with the roles it grants; throws when the token is not valid. Blocks. */
    public SecurityIdentity identify(String token) {
        JwtClaims claims;
        try {
            claims = consumer().processToClaims(token);
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
                    return io.impersonationprobe.Printable.of(value, 128);
                }
            } catch (MalformedClaimException ignored) {
                // try the next claim
            }
        }
        return "unknown";
    }

    private JwtConsumer consumer() {
        JwtConsumer current = consumer;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (consumer == null) {
                URI issuer = config.issuer().orElseThrow();
                HttpsJwks keys = new HttpsJwks(jwksUri(issuer));
                consumer = new JwtConsumerBuilder()
                        .setRequireExpirationTime()
                        .setAllowedClockSkewInSeconds(120)
                        .setRequireSubject()
                        .setExpectedIssuer(issuer.toString())
                        .setExpectedAudience(config.audience().orElseThrow())
                        .setVerificationKeyResolver(new HttpsJwksVerificationKeyResolver(keys))
                        .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                                AlgorithmIdentifiers.RSA_USING_SHA256, AlgorithmIdentifiers.RSA_PSS_USING_SHA256,
                                AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256)
                        .setJwsProviderContext(new ProviderContext())
                        .build();
            }
            return consumer;
        }
    }

    /** The issuer's key set address, from its discovery document; a failure is retried on the next token. */
    private String jwksUri(URI issuer) {
        URI discovery = URI.create(issuer.toString().replaceAll("/+$", "") + "/.well-known/openid-configuration");
        try {
            HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(TIMEOUT).build().send(
                    HttpRequest.newBuilder(discovery).timeout(TIMEOUT).header("Accept", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            JsonNode document = json.readTree(response.body());
            String jwks = Optional.ofNullable(document.get("jwks_uri")).map(JsonNode::asText).orElse("");
            if (!document.path("issuer").asText("").equals(issuer.toString())) {
                throw new IOException("the discovery document names issuer '"
                        + io.impersonationprobe.Printable.of(document.path("issuer").asText(""), 200) + "'");
            }
            if (jwks.isBlank()) {
                throw new IOException("the discovery document has no jwks_uri");
            }
            return jwks;
        } catch (IOException e) {
            LOG.warnf("OIDC discovery at %s failed: %s", discovery, e.getMessage());
            throw new AuthenticationFailedException("OIDC discovery failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuthenticationFailedException("interrupted");
        }
    }
}
