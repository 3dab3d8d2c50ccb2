package io.impersonationprobe.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code /control/}: read the simulated tenant and change it at runtime. A scenario (break access, fix it, leak a
 * scope) is a short series of these calls. Bad input gets 400, unknown names 404, conflicts 409, each with
 * {@code {"error": "..."}}.
 */
final class ControlApi {
    private final SimulatedTenant tenant;
    private final EwsEndpoint ews;
    private final ObjectMapper json;

    ControlApi(SimulatedTenant tenant, EwsEndpoint ews, ObjectMapper json) {
        this.tenant = tenant;
        this.ews = ews;
        this.json = json;
    }

    void routes(Router router) {
        router.get("/control/state").handler(ctx -> send(ctx, 200, tenant.snapshot()));
        router.get("/control/ews-requests").handler(ctx -> send(ctx, 200, ews.recentRequests()));
        router.get("/control/stats").handler(ctx -> send(ctx, 200, tenant.statistics()));
        router.put("/control/org").handler(ctx -> change(ctx, body -> {
            SimulatedTenant.Org org = tenant.org();
            List<String> allowed = org.ewsAllowedAppIds();
            if (body.has("ewsAllowedAppIds")) {
                allowed = body.get("ewsAllowedAppIds").isNull() ? null : strings(body.get("ewsAllowedAppIds"));
            }
            String policy = body.has("ewsApplicationAccessPolicy") ? text(body, "ewsApplicationAccessPolicy")
                    : org.ewsApplicationAccessPolicy();
            List<String> allowList = body.has("ewsAllowList") ? (body.get("ewsAllowList").isNull() ? null
                    : strings(body.get("ewsAllowList"))) : org.ewsAllowList();
            List<String> blockList = body.has("ewsBlockList") ? (body.get("ewsBlockList").isNull() ? null
                    : strings(body.get("ewsBlockList"))) : org.ewsBlockList();
            tenant.setOrg(new SimulatedTenant.Org(flag(body, "isDehydrated", org.isDehydrated()),
                    flag(body, "ewsEnabled", org.ewsEnabled()), allowed, policy, allowList, blockList));
            return tenant.org();
        }));
        router.post("/control/service-accounts").handler(ctx -> change(ctx, body -> {
            SimulatedTenant.ServiceAccount account = new SimulatedTenant.ServiceAccount(
                    body.path("domain").asText("CONTOSO"), required(body, "name"), required(body, "password"));
            tenant.addServiceAccount(account);
            return Map.of("domain", account.domain(), "name", account.name());
        }));
        router.put("/control/propagation").handler(ctx -> change(ctx, body -> {
            tenant.setPropagationDelay(Duration.ofSeconds(number(body, "delaySeconds")));
            return Map.of("delaySeconds", body.get("delaySeconds").asLong());
        }));
        router.post("/control/apps").handler(ctx -> change(ctx, body -> {
            SimulatedTenant.App app = new SimulatedTenant.App(required(body, "appId"), body.path("displayName").asText(""),
                    text(body, "secret"), body.has("entraRoles") ? strings(body.get("entraRoles")) : List.of());
            tenant.addApp(app);
            return Map.of("appId", app.appId(), "displayName", app.displayName(), "entraRoles", app.entraRoles());
        }));
        router.put("/control/management-scopes/:name").handler(ctx -> change(ctx, body -> {
            tenant.changeScopeFilter(ctx.pathParam("name"), required(body, "recipientFilter"));
            return Map.of("name", ctx.pathParam("name"), "recipientFilter", body.get("recipientFilter").asText());
        }));
        router.post("/control/apps/:appId/certificates").handler(ctx -> change(ctx, body -> {
            SimulatedTenant.App app = tenant.app(ctx.pathParam("appId"))
                    .orElseThrow(() -> new IllegalArgumentException("no app " + ctx.pathParam("appId")));
            var certificate = ClientAssertions.parseCertificate(required(body, "certificate"));
            String thumbprint = ClientAssertions.thumbprint(certificate);
            app.certificates().put(thumbprint, certificate);
            return Map.of("thumbprint", thumbprint);
        }));
        router.post("/control/mailboxes").handler(ctx -> change(ctx, body -> {
            List<String> groups = new ArrayList<>();
            body.path("groups").forEach(g -> groups.add(g.asText()));
            Mailbox mailbox = new Mailbox(required(body, "smtp"), text(body, "type"), text(body, "department"), groups);
            tenant.addMailbox(mailbox);
            return mailbox;
        }));
        router.delete("/control/mailboxes/:smtp").handler(ctx -> removal(ctx, tenant.removeMailbox(ctx.pathParam("smtp"))));
        router.post("/control/management-scopes").handler(ctx -> change(ctx, body -> {
            tenant.addScope(required(body, "name"), required(body, "recipientFilter"));
            return Map.of("name", body.get("name").asText(), "recipientFilter", body.get("recipientFilter").asText());
        }));
        router.delete("/control/management-scopes/:name").handler(ctx -> {
            try {
                removal(ctx, tenant.removeScope(ctx.pathParam("name")));
            } catch (IllegalStateException e) {
                error(ctx, 409, e.getMessage());
            }
        });
        router.post("/control/role-assignments").handler(ctx -> change(ctx, body -> {
            String assignee = text(body, "app") != null ? text(body, "app") : text(body, "user");
            if (assignee == null) {
                throw new IllegalArgumentException("app (an app ID) or user (a service account) is required");
            }
            return tenant.addAssignment(required(body, "name"), required(body, "role"), assignee, text(body, "scope"));
        }));
        router.delete("/control/role-assignments/:name").handler(ctx ->
                removal(ctx, tenant.removeAssignment(ctx.pathParam("name"))));
        router.post("/control/clock").handler(ctx -> change(ctx, body -> {
            try {
                Duration by = Duration.parse(required(body, "advance"));
                return Map.of("now", tenant.advanceClock(by).toString());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("advance must be an ISO-8601 duration such as PT1H");
            }
        }));
        // Partial update: fields left out keep their value; DELETE switches every fault off.
        router.put("/control/faults").handler(ctx -> change(ctx, body -> {
            SimulatedTenant.Faults f = tenant.faults();
            Integer retryAfter = f.serviceUnavailableRetryAfterSeconds();
            if (body.has("serviceUnavailableRetryAfterSeconds")) {
                retryAfter = body.get("serviceUnavailableRetryAfterSeconds").isNull() ? null
                        : number(body, "serviceUnavailableRetryAfterSeconds").intValue();
            }
            Map<String, String> codes = f.responseCodes();
            if (body.has("responseCodes")) {
                codes = new java.util.LinkedHashMap<>();
                for (var field : (Iterable<Map.Entry<String, JsonNode>>) body.get("responseCodes")::fields) {
                    codes.put(field.getKey().toLowerCase(java.util.Locale.ROOT), field.getValue().asText());
                }
            }
            SimulatedTenant.RawAnswer raw = body.has("rawAnswer") ? rawAnswer(body.get("rawAnswer")) : f.rawAnswer();
            SimulatedTenant.RawAnswer adminRaw = body.has("adminRawAnswer") ? rawAnswer(body.get("adminRawAnswer"))
                    : f.adminRawAnswer();
            Map<String, String> graphErrors = f.graphErrors();
            if (body.has("graphErrors")) {
                graphErrors = new java.util.LinkedHashMap<>();
                for (var field : (Iterable<Map.Entry<String, JsonNode>>) body.get("graphErrors")::fields) {
                    graphErrors.put(field.getKey().toLowerCase(java.util.Locale.ROOT), field.getValue().asText());
                }
            }
            tenant.setFaults(new SimulatedTenant.Faults(
                    body.has("ewsLatencyMs") ? number(body, "ewsLatencyMs") : f.ewsLatencyMs(),
                    retryAfter, Map.copyOf(codes), raw,
                    body.has("concurrencyBudget") ? number(body, "concurrencyBudget").intValue() : f.concurrencyBudget(),
                    body.has("serverBusyBackOffMs") ? number(body, "serverBusyBackOffMs") : f.serverBusyBackOffMs(),
                    body.has("missingAnchorLatencyMs") ? number(body, "missingAnchorLatencyMs") : f.missingAnchorLatencyMs(),
                    adminRaw, body.has("adminLatencyMs") ? number(body, "adminLatencyMs") : f.adminLatencyMs(),
                    body.has("graphLatencyMs") ? number(body, "graphLatencyMs") : f.graphLatencyMs(),
                    optionalInt(body, "graphThrottledRetryAfterSeconds", f.graphThrottledRetryAfterSeconds()),
                    optionalInt(body, "graphUnavailableRetryAfterSeconds", f.graphUnavailableRetryAfterSeconds()),
                    Map.copyOf(graphErrors)));
            return tenant.faults();
        }));
        router.delete("/control/faults").handler(ctx -> {
            tenant.setFaults(SimulatedTenant.Faults.NONE);
            send(ctx, 200, tenant.faults());
        });
    }

    /** A nullable integer field: absent keeps {@code current}, null switches it off. */
    private static Integer optionalInt(JsonNode body, String field, Integer current) {
        if (!body.has(field)) {
            return current;
        }
        return body.get(field).isNull() ? null : number(body, field).intValue();
    }

    private interface Change {
        Object apply(JsonNode body);
    }

    private void change(RoutingContext ctx, Change change) {
        JsonNode body;
        try {
            body = json.readTree(ctx.body().asString());
        } catch (Exception e) {
            error(ctx, 400, "the body is not JSON");
            return;
        }
        if (body == null || !body.isObject()) {
            error(ctx, 400, "the body must be a JSON object");
            return;
        }
        try {
            Object created = change.apply(body);
            send(ctx, ctx.request().method().name().equals("POST") && !ctx.request().path().endsWith("/clock") ? 201 : 200,
                    created);
        } catch (IllegalArgumentException e) {
            error(ctx, 400, e.getMessage());
        } catch (IllegalStateException e) {
            error(ctx, 409, e.getMessage());
        }
    }

    private void removal(RoutingContext ctx, boolean removed) {
        if (removed) {
            ctx.response().setStatusCode(204).end();
        } else {
            error(ctx, 404, "nothing named '" + ctx.pathParams().values().iterator().next() + "'");
        }
    }

    private static SimulatedTenant.RawAnswer rawAnswer(JsonNode r) {
        return r.isNull() ? null : new SimulatedTenant.RawAnswer(number(r, "status").intValue(), text(r, "contentType"),
                text(r, "body"));
    }

    private static Long number(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || !node.canConvertToLong()) {
            throw new IllegalArgumentException(field + " must be a whole number");
        }
        return node.asLong();
    }

    private static boolean flag(JsonNode body, String field, boolean current) {
        JsonNode node = body.get(field);
        if (node == null) {
            return current;
        }
        if (!node.isBoolean()) {
            throw new IllegalArgumentException(field + " must be true or false");
        }
        return node.asBoolean();
    }

    private static List<String> strings(JsonNode array) {
        if (!array.isArray()) {
            throw new IllegalArgumentException("a JSON array of strings is expected");
        }
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return List.copyOf(values);
    }

    private static String required(JsonNode body, String field) {
        String value = text(body, field);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
        return value;
    }

    private static String text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }

    private void error(RoutingContext ctx, int status, String message) {
        send(ctx, status, Map.of("error", message));
    }

    private void send(RoutingContext ctx, int status, Object body) {
        JsonAnswer.send(ctx, json, status, body);
    }
}
