package io.impersonationprobe.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The simulated Exchange Online admin API ({@code POST /adminapi/beta/{tenant}/InvokeCommand}) that the
 * ExchangeOnlineManagement module talks to. It answers cmdlets from the same tenant model that decides EWS access.
 * The caller needs a token with the {@code Exchange.ManageAsApp} app role.
 */
final class AdminApiEndpoint {
    static final String SYSTEM_MAILBOX = "SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}";
    static final int PAGE_SIZE = 100;

    private final SimulatedTenant tenant;
    private final TokenIssuer tokens;
    private final ObjectMapper json;

    AdminApiEndpoint(SimulatedTenant tenant, TokenIssuer tokens, ObjectMapper json) {
        this.tenant = tenant;
        this.tokens = tokens;
        this.json = json;
    }

    void handle(RoutingContext ctx) {
        long latency = tenant.faults().adminLatencyMs();
        if (latency > 0) {
            ctx.vertx().setTimer(latency, id -> answer(ctx));
        } else {
            answer(ctx);
        }
    }

    private void answer(RoutingContext ctx) {
        tenant.stats().countAdminRequest();
        Faults.RawAnswer raw = tenant.faults().adminRawAnswer();
        if (raw != null) {
            var response = ctx.response().setStatusCode(raw.status());
            if (raw.contentType() != null) {
                response.putHeader("Content-Type", raw.contentType());
            }
            response.end(raw.body() == null ? "" : raw.body());
            return;
        }
        if (!tenant.isTenant(ctx.pathParam("tenant"))) {
            error(ctx, 404, "NotFound", "The tenant " + ctx.pathParam("tenant") + " was not found.");
            return;
        }
        String authorization = ctx.request().getHeader("Authorization");
        Map<String, Object> claims;
        try {
            if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new TokenIssuer.InvalidTokenException("2000001", "No bearer token.");
            }
            claims = tokens.verify(authorization.substring(7).strip());
            if (!(claims.get("exp") instanceof Number exp) || exp.longValue() <= tenant.now().getEpochSecond()) {
                throw new TokenIssuer.InvalidTokenException("2000001", "The token has expired.");
            }
        } catch (TokenIssuer.InvalidTokenException e) {
            error(ctx, 401, "Unauthorized", e.getMessage());
            return;
        }
        if (!(claims.get("roles") instanceof List<?> roles) || !roles.contains(Roles.MANAGE_AS_APP)) {
            error(ctx, 403, "Forbidden", "The app has no " + Roles.MANAGE_AS_APP + " permission; grant it and a role "
                    + "such as View-Only Organization Management to the app's service principal.");
            return;
        }
        String anchor = ctx.request().getHeader("X-AnchorMailbox");
        if (anchor == null || !anchor.equalsIgnoreCase("APP:" + SYSTEM_MAILBOX + "@" + tenant.domain())) {
            tenant.stats().countAnchorMismatch();
        }
        JsonNode body;
        try {
            body = json.readTree(ctx.body().asString());
        } catch (Exception e) {
            error(ctx, 400, "BadRequest", "The request body is not JSON.");
            return;
        }
        String cmdlet = body == null ? "" : body.path("CmdletInput").path("CmdletName").asText("");
        JsonNode parameters = body == null ? null : body.path("CmdletInput").path("Parameters");
        if (cmdlet.equals("Get-ManagementRoleAssignment")) {
            String role = parameters == null ? "" : parameters.path("Role").asText("");
            List<Map<String, Object>> rows = new ArrayList<>();
            for (RoleAssignment a : tenant.state().configuredAssignments()) {
                if (role.isEmpty() || a.role().equalsIgnoreCase(role)) {
                    rows.add(ExchangeObjects.roleAssignment(tenant.state(), a));
                }
            }
            page(ctx, rows);
        } else if (cmdlet.equals("Get-ServicePrincipal")) {
            String identity = parameters == null ? "" : parameters.path("Identity").asText("");
            if (identity.isEmpty()) {
                page(ctx, tenant.state().apps().stream().map(ExchangeObjects::servicePrincipal).toList());
            } else {
                tenant.state().servicePrincipal(identity).ifPresentOrElse(
                        app -> send(ctx, 200, Map.of("value", List.of(ExchangeObjects.servicePrincipal(app)))),
                        () -> notFound(ctx, identity));
            }
        } else if (cmdlet.equals("Get-CASMailbox")) {
            String identity = parameters == null ? "" : parameters.path("Identity").asText("");
            if (identity.isEmpty()) {
                page(ctx, tenant.state().mailboxes().stream().map(ExchangeObjects::casMailbox).toList());
            } else {
                mailboxByIdentity(identity).ifPresentOrElse(
                        mailbox -> send(ctx, 200, Map.of("value", List.of(ExchangeObjects.casMailbox(mailbox)))),
                        () -> notFound(ctx, identity));
            }
        } else if (cmdlet.equals("Get-ManagementScope")) {
            List<Map<String, Object>> rows = new ArrayList<>();
            tenant.state().scopeFilters().forEach((name, filter) -> rows.add(Map.of("Name", name, "RecipientFilter", filter,
                    "ScopeRestrictionType", "RecipientScope", "Exclusive", false)));
            page(ctx, rows);
        } else if (cmdlet.equals("Test-ServicePrincipalAuthorization")) {
            String identity = parameters == null ? "" : parameters.path("Identity").asText("");
            var mailbox = tenant.state().mailbox(parameters == null ? "" : parameters.path("Resource").asText(""));
            if (mailbox.isEmpty()) {
                error(ctx, 400, "BadRequest", "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|"
                        + "The operation couldn't be performed because object '" + parameters.path("Resource").asText("")
                        + "' couldn't be found.");
                return;
            }
            send(ctx, 200, Map.of("value", tenant.access().testAuthorization(identity, mailbox.get())));
        } else if (cmdlet.equals("New-ManagementRoleAssignment")) {
            try {
                String app = parameters.path("App").asText(null);
                RoleAssignment created = tenant.state().addAssignment(parameters.path("Name").asText(""),
                        parameters.path("Role").asText(""), app != null ? app : parameters.path("User").asText(""),
                        parameters.path(app != null ? "CustomResourceScope" : "CustomRecipientWriteScope").asText(null));
                send(ctx, 200, Map.of("value", List.of(ExchangeObjects.roleAssignment(tenant.state(), created))));
            } catch (IllegalStateException e) {
                // What Exchange Online answers in a dehydrated organisation (and for a duplicate name).
                error(ctx, 400, "BadRequest", "Ex2D6DEA|Microsoft.Exchange.Configuration.Tasks.TaskException|" + e.getMessage());
            } catch (IllegalArgumentException e) {
                error(ctx, 400, "BadRequest", "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|"
                        + e.getMessage());
            }
        } else if (cmdlet.equals("Get-OrganizationConfig")) {
            // What is configured, at once: Exchange's caches enforce a change later, but the cmdlet reads it back.
            boolean withPolicy = parameters != null && parameters.path("RetrieveEwsOperationAccessPolicy").asBoolean(false);
            Map<String, Object> config = ExchangeObjects.organizationConfig(tenant, tenant.state().org(), withPolicy);
            send(ctx, 200, Map.of("@odata.context", "https://outlook.office365.com/adminapi/beta/$metadata#OrganizationConfig",
                    "value", List.of(config)));
        } else {
            error(ctx, 400, "BadRequest", "Ex3C0B2A|Microsoft.Exchange.Management.PSDirectInvoke.CmdletNotFoundException|"
                    + "The term '" + cmdlet + "' is not recognized as a cmdlet available to the simulated tenant.");
        }
    }

    /** A mailbox by the identities Get-CASMailbox takes here: its primary SMTP address or its alias. */
    private Optional<Mailbox> mailboxByIdentity(String identity) {
        return tenant.state().mailboxes().stream().filter(m -> m.smtp().equalsIgnoreCase(identity)
                || m.alias().equalsIgnoreCase(identity)).findFirst();
    }

    private void notFound(RoutingContext ctx, String identity) {
        error(ctx, 400, "BadRequest", "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|"
                + "The operation couldn't be performed because object '" + identity + "' couldn't be found.");
    }

    /** Pages of {@value #PAGE_SIZE}; the next page is the same POST to {@code @odata.nextLink}. */
    private void page(RoutingContext ctx, List<Map<String, Object>> rows) {
        int skip = 0;
        try {
            skip = Integer.parseInt(ctx.request().getParam("$skiptoken", "0"));
        } catch (NumberFormatException ignored) {
            // The first page.
        }
        int end = Math.min(rows.size(), skip + PAGE_SIZE);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("value", rows.subList(Math.min(skip, rows.size()), end));
        if (end < rows.size()) {
            answer.put("@odata.nextLink", ctx.request().scheme() + "://" + ctx.request().getHeader("Host") + ctx.request().path()
                    + "?$skiptoken=" + end);
        }
        send(ctx, 200, answer);
    }

    /** Errors in the admin API's shape: {@code error.details[].message}. */
    private void error(RoutingContext ctx, int status, String code, String message) {
        send(ctx, status, Map.of("error", Map.of("code", code, "message", message,
                "details", List.of(Map.of("message", message)))));
    }

    private void send(RoutingContext ctx, int status, Object body) {
        JsonAnswer.send(ctx, json, status, body);
    }
}
