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
        router.post("/control/role-assignments").handler(ctx -> change(ctx, body -> tenant.addAssignment(
                required(body, "name"), required(body, "role"), required(body, "app"), text(body, "scope"))));
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
        router.put("/control/faults").handler(ctx -> change(ctx, body -> {
            if (!body.path("ewsLatencyMs").canConvertToLong()) {
                throw new IllegalArgumentException("ewsLatencyMs (a number of milliseconds) is required");
            }
            tenant.setEwsLatencyMillis(body.get("ewsLatencyMs").asLong());
            return Map.of("ewsLatencyMs", tenant.ewsLatencyMillis());
        }));
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
        try {
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                    .end(json.writeValueAsString(body));
        } catch (Exception e) {
            ctx.fail(e);
        }
    }
}
