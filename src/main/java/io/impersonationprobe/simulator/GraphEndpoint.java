package io.impersonationprobe.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.Sha256;
import io.vertx.ext.web.RoutingContext;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The simulated Microsoft Graph mail folder endpoint ({@code GET /v1.0/users/{id}/mailFolders/{folder}}) for app-only
 * tokens. It answers from the same tenant model as EWS: access comes from an Entra-consented Graph mail permission or
 * from an effective RBAC for Applications Graph mail role whose scope covers the mailbox. Of EWS's organisation gates
 * only the user-agent policy applies. Answers, errors and headers follow Graph's shapes ({@code request-id}, {@code client-request-id},
 * {@code error.innerError}).
 */
final class GraphEndpoint {
    static final String AUDIENCE = "https://graph.microsoft.com";
    /** Graph's own application ID, which some tokens carry as the audience. */
    static final String AUDIENCE_APP_ID = "00000003-0000-0000-c000-000000000000";
    static final Set<String> WELL_KNOWN_FOLDERS = Set.of("inbox", "drafts", "sentitems", "deleteditems", "junkemail",
            "outbox", "archive", "msgfolderroot");
    private static final String ODATA_JSON =
            "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
    static final String ODATA_DISABLED = "Access to OData is disabled.";
    private static final DateTimeFormatter INNER_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    /** Errors a scenario can inject per mailbox, with the status and message Graph sends them with. */
    static final Map<String, Error> ERRORS = Map.ofEntries(
            Map.entry("ErrorAccessDenied", new Error(403, "Access is denied. Check credentials and try again.")),
            Map.entry("Authorization_RequestDenied", new Error(403, "Insufficient privileges to complete the operation.")),
            Map.entry("ErrorItemNotFound", new Error(404, "The specified object was not found in the store.")),
            Map.entry("ErrorInvalidUser", new Error(404, "The requested user is invalid.")),
            Map.entry("ResourceNotFound", new Error(404, "Resource could not be discovered.")),
            Map.entry("MailboxNotEnabledForRESTAPI", new Error(404,
                    "The mailbox is either inactive, soft-deleted, or is hosted on-premise.")),
            Map.entry("InvalidAuthenticationToken", new Error(401, "Access token validation failure.")),
            Map.entry("ErrorMailboxStoreUnavailable", new Error(503, "The mailbox database is temporarily unavailable.")),
            Map.entry("ApplicationThrottled", new Error(429, "Application is over its MailboxConcurrency limit.")),
            Map.entry("generalException", new Error(500, "General exception while processing.")));

    record Error(int status, String message) {
    }

    private final SimulatedTenant tenant;
    private final TokenIssuer tokens;
    private final ObjectMapper json;

    GraphEndpoint(SimulatedTenant tenant, TokenIssuer tokens, ObjectMapper json) {
        this.tenant = tenant;
        this.tokens = tokens;
        this.json = json;
    }

    void handle(RoutingContext ctx) {
        tenant.stats().countGraphRequest();
        long latency = tenant.faults().graphLatencyMs();
        if (latency > 0) {
            ctx.vertx().setTimer(latency, id -> answer(ctx));
        } else {
            answer(ctx);
        }
    }

    private void answer(RoutingContext ctx) {
        String requestId = UUID.randomUUID().toString();
        String sentId = ctx.request().getHeader("client-request-id");
        String clientRequestId = sentId != null && sentId.matches("[0-9a-fA-F-]{36}") ? sentId : requestId;
        var response = ctx.response()
                .putHeader("request-id", requestId)
                .putHeader("client-request-id", clientRequestId)
                .putHeader("Cache-Control", "no-store")
                .putHeader("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        tenant.now().atOffset(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)))
                .putHeader("x-ms-ags-diagnostic", "{\"ServerInfo\":{\"DataCenter\":\"Simulated\",\"Slice\":\"E\","
                        + "\"Ring\":\"5\",\"ScaleUnit\":\"000\",\"RoleInstance\":\"SIM0001\"}}");
        Faults faults = tenant.faults();
        if (faults.graphThrottledRetryAfterSeconds() != null) {
            response.putHeader("Retry-After", String.valueOf(faults.graphThrottledRetryAfterSeconds()));
            error(ctx, 429, "ApplicationThrottled", ERRORS.get("ApplicationThrottled").message(), requestId, clientRequestId);
            return;
        }
        if (faults.graphUnavailableRetryAfterSeconds() != null) {
            response.putHeader("Retry-After", String.valueOf(faults.graphUnavailableRetryAfterSeconds()));
            error(ctx, 503, "ServiceUnavailable", "The service is temporarily unavailable. Please retry later.",
                    requestId, clientRequestId);
            return;
        }
        Map<String, Object> claims;
        try {
            claims = claims(ctx.request().getHeader("Authorization"));
        } catch (TokenIssuer.InvalidTokenException e) {
            error(ctx, 401, "InvalidAuthenticationToken", e.getMessage(), requestId, clientRequestId);
            return;
        }
        if (!tenant.access().graphAdmits(ctx.request().getHeader("User-Agent"))) {
            // The organisation's EWS user-agent policy applies to REST and Graph too, and says so in these words.
            error(ctx, 403, "ErrorAccessDenied", ODATA_DISABLED, requestId, clientRequestId);
            return;
        }
        String folder = ctx.pathParam("folder").toLowerCase(Locale.ROOT);
        String id = ctx.pathParam("id");
        var mailbox = tenant.state().mailbox(id);
        if (mailbox.isEmpty()) {
            error(ctx, 404, "ErrorInvalidUser", "The requested user '" + id + "' is invalid.", requestId, clientRequestId);
            return;
        }
        String smtp = mailbox.get().smtp();
        String injected = faults.graphErrorFor(smtp);
        if (injected != null) {
            Error e = ERRORS.get(injected);
            error(ctx, e.status(), injected, e.message(), requestId, clientRequestId);
            return;
        }
        @SuppressWarnings("unchecked")
        List<String> roles = claims.get("roles") instanceof List<?> list ? (List<String>) list : List.of();
        if (!tenant.access().canReadFolderOverGraph(String.valueOf(claims.get("appid")), roles, mailbox.get())) {
            error(ctx, 403, "ErrorAccessDenied", ERRORS.get("ErrorAccessDenied").message(), requestId, clientRequestId);
            return;
        }
        if (!WELL_KNOWN_FOLDERS.contains(folder)) {
            error(ctx, 404, "ErrorInvalidIdMalformed", "Id is malformed.", requestId, clientRequestId);
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        String select = ctx.request().getParam("$select");
        boolean idOnly = select != null && select.strip().equalsIgnoreCase("id");
        body.put("@odata.context", "https://graph.microsoft.com/v1.0/$metadata#users('"
                + smtp.replace("@", "%40") + "')/mailFolders" + (idOnly ? "(id)" : "") + "/$entity");
        body.put("id", folderId(smtp, folder));
        if (!idOnly) {
            body.put("displayName", Character.toUpperCase(folder.charAt(0)) + folder.substring(1));
            body.put("parentFolderId", folderId(smtp, "msgfolderroot"));
            body.put("childFolderCount", 0);
            body.put("unreadItemCount", 0);
            body.put("totalItemCount", 0);
            body.put("isHidden", false);
        }
        try {
            response.setStatusCode(200).putHeader("Content-Type", ODATA_JSON).end(json.writeValueAsString(body));
        } catch (Exception e) {
            ctx.fail(e);
        }
    }

    /** The bearer token's claims, checked as Graph checks them: signature, lifetime, audience, tenant. */
    private Map<String, Object> claims(String authorization) throws TokenIssuer.InvalidTokenException {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new TokenIssuer.InvalidTokenException("2000001", "Access token is empty.");
        }
        Map<String, Object> claims;
        try {
            claims = tokens.verify(authorization.substring(7).strip());
        } catch (TokenIssuer.InvalidTokenException e) {
            throw new TokenIssuer.InvalidTokenException("2000001", "IDX14100: JWT is not well formed.");
        }
        long now = tenant.now().getEpochSecond();
        if (!(claims.get("exp") instanceof Number exp) || exp.longValue() <= now) {
            throw new TokenIssuer.InvalidTokenException("2000001", "Lifetime validation failed, the token is expired.");
        }
        Object aud = claims.get("aud");
        if (!AUDIENCE.equals(aud) && !AUDIENCE_APP_ID.equals(aud)) {
            throw new TokenIssuer.InvalidTokenException("2000003", "Invalid audience.");
        }
        if (!tenant.isTenant(String.valueOf(claims.get("tid")))) {
            throw new TokenIssuer.InvalidTokenException("2000004", "Access token validation failure. Invalid issuer.");
        }
        return claims;
    }

    private void error(RoutingContext ctx, int status, String code, String message, String requestId,
                       String clientRequestId) {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("date", INNER_DATE.format(tenant.now().truncatedTo(ChronoUnit.SECONDS)));
        inner.put("request-id", requestId);
        inner.put("client-request-id", clientRequestId);
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        error.put("innerError", inner);
        JsonAnswer.send(ctx, json, status, Map.of("error", error));
    }

    /** A stable folder ID per mailbox and folder, shaped like Exchange's base64 entry IDs. */
    private static String folderId(String smtp, String folder) {
        byte[] id = new byte[36];
        System.arraycopy(Sha256.of(smtp.toLowerCase(Locale.ROOT) + "/" + folder), 0, id, 4, 32);
        return "AAMk" + Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    }
}
