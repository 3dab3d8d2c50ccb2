package io.impersonationprobe.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.ext.web.RoutingContext;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The simulated Entra ID token endpoint ({@code /{tenant}/oauth2/v2.0/token}) for the client credentials grant with a
 * client secret. Errors carry the {@code AADSTS} codes Entra uses, so the daemon's token error handling meets the
 * same answers it meets in production.
 */
final class TokenEndpoint {
    private final SimulatedTenant tenant;
    private final TokenIssuer tokens;
    private final ObjectMapper json;
    private final Duration lifetime;

    TokenEndpoint(SimulatedTenant tenant, TokenIssuer tokens, ObjectMapper json, Duration lifetime) {
        this.tenant = tenant;
        this.tokens = tokens;
        this.json = json;
        this.lifetime = lifetime;
    }

    void handle(RoutingContext ctx) {
        tenant.stats().countTokenRequest();
        String tenantId = ctx.pathParam("tenant");
        var form = ctx.request().formAttributes();
        if (!tenant.isTenant(tenantId)) {
            error(ctx, 400, "invalid_request", 90002, "Tenant '" + tenantId + "' not found. Check to make sure you have "
                    + "the correct tenant ID and are signing into the correct cloud.");
            return;
        }
        if (!"client_credentials".equals(form.get("grant_type"))) {
            error(ctx, 400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '"
                    + form.get("grant_type") + "'.");
            return;
        }
        String clientId = form.get("client_id");
        Optional<App> app = clientId == null ? Optional.empty() : tenant.state().app(clientId);
        if (app.isEmpty()) {
            error(ctx, 400, "unauthorized_client", 700016, "Application with identifier '" + clientId
                    + "' was not found in the directory '" + tenant.domain() + "'.");
            return;
        }
        String assertion = form.get("client_assertion");
        if (assertion != null) {
            if (!ClientAssertions.TYPE.equals(form.get("client_assertion_type"))) {
                error(ctx, 400, "invalid_request", 50027, "The client_assertion_type is not supported.");
                return;
            }
            try {
                ClientAssertions.verify(assertion, app.get(), tenant.now(), json);
            } catch (ClientAssertions.Refused e) {
                error(ctx, 401, "invalid_client", e.aadsts, e.getMessage());
                return;
            }
        } else if (!isSecret(form.get("client_secret"), app.get())) {
            error(ctx, 401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being sent "
                    + "in the request is the client secret value, not the client secret ID, for a secret added to app '"
                    + clientId + "'.");
            return;
        }
        // msal4j adds "openid profile offline_access"; the resource scope is the one ending in /.default.
        String scope = form.get("scope") == null ? "" : form.get("scope");
        String resource = Arrays.stream(scope.split(" ")).filter(s -> s.endsWith("/.default"))
                .map(s -> s.substring(0, s.length() - "/.default".length())).findFirst().orElse(null);
        if (DemoTenant.DAEMON_API.equals(resource)) {
            send(ctx, 200, daemonApiToken(ctx, clientId));
            return;
        }
        if (!EwsEndpoint.AUDIENCE.equals(resource) && !GraphEndpoint.AUDIENCE.equals(resource)) {
            error(ctx, 400, "invalid_scope", 1002012, "The provided value for scope " + scope + " is not valid. "
                    + "Client credential flows must have a scope value with /.default suffixed to the resource identifier.");
            return;
        }
        Instant now = tenant.now();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", resource);
        claims.put("iss", "https://sts.windows.net/" + tenant.directoryId() + "/");
        claims.put("iat", now.getEpochSecond());
        claims.put("nbf", now.getEpochSecond());
        claims.put("exp", now.plus(lifetime).getEpochSecond());
        claims.put("app_displayname", app.get().displayName());
        claims.put("appid", clientId);
        claims.put("idtyp", "app");
        claims.put("oid", UUID.nameUUIDFromBytes(clientId.getBytes(StandardCharsets.UTF_8)).toString());
        claims.put("roles", app.get().entraRoles());
        claims.put("tid", tenant.directoryId());
        claims.put("ver", "1.0");
        send(ctx, 200, tokenAnswer(claims));
    }

    /** Entra ID's answer to a successful token request, carrying the signed claims. */
    private Map<String, Object> tokenAnswer(Map<String, Object> claims) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token_type", "Bearer");
        body.put("expires_in", lifetime.toSeconds());
        body.put("ext_expires_in", lifetime.toSeconds());
        body.put("access_token", tokens.sign(claims));
        return body;
    }

    /** A v2.0 access token for the daemon's own API, carrying the app roles granted to the client. */
    private Map<String, Object> daemonApiToken(RoutingContext ctx, String clientId) {
        Instant now = tenant.now();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", DemoTenant.DAEMON_API);
        claims.put("iss", issuer(ctx));
        claims.put("iat", now.getEpochSecond());
        claims.put("nbf", now.getEpochSecond());
        claims.put("exp", now.plus(lifetime).getEpochSecond());
        claims.put("azp", clientId);
        claims.put("azpacr", "1");
        claims.put("idtyp", "app");
        claims.put("oid", UUID.nameUUIDFromBytes(clientId.getBytes(StandardCharsets.UTF_8)).toString());
        claims.put("sub", UUID.nameUUIDFromBytes(clientId.getBytes(StandardCharsets.UTF_8)).toString());
        claims.put("roles", tenant.state().daemonApiRoles(clientId));
        claims.put("tid", tenant.directoryId());
        claims.put("ver", "2.0");
        return tokenAnswer(claims);
    }

    /** The v2.0 issuer, on this listener's own address as the caller reached it. */
    String issuer(RoutingContext ctx) {
        return base(ctx) + "/" + tenant.directoryId() + "/v2.0";
    }

    private static String base(RoutingContext ctx) {
        return (ctx.request().isSSL() ? "https://" : "http://") + ctx.request().authority();
    }

    /** {@code /{tenant}/v2.0/.well-known/openid-configuration}: where the keys are. */
    void discovery(RoutingContext ctx) {
        if (!tenant.isTenant(ctx.pathParam("tenant"))) {
            error(ctx, 400, "invalid_tenant", 90002, "Tenant '" + ctx.pathParam("tenant") + "' not found.");
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("issuer", issuer(ctx));
        body.put("token_endpoint", base(ctx) + "/" + tenant.directoryId() + "/oauth2/v2.0/token");
        body.put("jwks_uri", base(ctx) + "/" + tenant.directoryId() + "/discovery/v2.0/keys");
        body.put("id_token_signing_alg_values_supported", List.of("RS256"));
        body.put("token_endpoint_auth_methods_supported", List.of("client_secret_post", "private_key_jwt"));
        send(ctx, 200, body);
    }

    /** {@code /{tenant}/discovery/v2.0/keys}: the signing keys. */
    void keys(RoutingContext ctx) {
        send(ctx, 200, tokens.jwks());
    }

    private static boolean isSecret(String secret, App app) {
        return secret != null && app.secret() != null && MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8),
                app.secret().getBytes(StandardCharsets.UTF_8));
    }

    private void error(RoutingContext ctx, int status, String error, int code, String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", "AADSTS" + code + ": " + description + "\r\nTrace ID: " + UUID.randomUUID()
                + "\r\nCorrelation ID: " + UUID.randomUUID() + "\r\nTimestamp: " + tenant.now());
        body.put("error_codes", List.of(code));
        body.put("timestamp", tenant.now().toString());
        body.put("trace_id", UUID.randomUUID().toString());
        body.put("correlation_id", UUID.randomUUID().toString());
        send(ctx, status, body);
    }

    private void send(RoutingContext ctx, int status, Object body) {
        JsonAnswer.send(ctx, json, status, body);
    }
}
