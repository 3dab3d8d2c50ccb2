package io.impersonationprobe.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * {@code /control/}: read the simulated tenant and change it at runtime. A scenario (break access, fix it, leak a
 * scope, move the clock) is a short series of these calls, and {@code POST /control/reset} undoes them all. Bad
 * input gets 400, unknown names 404, conflicts 409, each with {@code {"error": "..."}}.
 */
final class ControlApi {
    private final SimulatedTenant tenant;
    private final EwsEndpoint ews;
    private final Runnable reset;
    private final ObjectMapper json;

    /** @param reset restores the demo tenant, as {@link Simulator#reset()} does */
    ControlApi(SimulatedTenant tenant, EwsEndpoint ews, Runnable reset, ObjectMapper json) {
        this.tenant = tenant;
        this.ews = ews;
        this.reset = reset;
        this.json = json;
    }

    void routes(Router router) {
        TenantState state = tenant.state();
        router.get("/control/state").handler(ctx -> send(ctx, 200, TenantSnapshot.of(tenant)));
        router.get("/control/ews-requests").handler(ctx -> send(ctx, 200, ews.recentRequests()));
        router.get("/control/stats").handler(ctx -> send(ctx, 200, tenant.stats().counters()));
        // The demo tenant again, as it started: content, faults, clock and counters. A body is not needed.
        router.post("/control/reset").handler(ctx -> {
            reset.run();
            send(ctx, 200, TenantSnapshot.of(tenant));
        });
        router.put("/control/org").handler(ctx -> change(ctx, body -> {
            Org org = state.org();
            if (body.has("isDehydrated")) {
                org = org.withDehydrated(flag(body, "isDehydrated"));
            }
            if (body.has("ewsEnabled")) {
                org = org.withEwsEnabled(nullableFlag(body, "ewsEnabled"));
            }
            if (body.has("ewsAllowedAppIds")) {
                org = org.withEwsAllowedAppIds(appIds(body.get("ewsAllowedAppIds")));
            }
            if (body.has("ewsApplicationAccessPolicy")) {
                org = org.withEwsApplicationAccessPolicy(text(body, "ewsApplicationAccessPolicy"));
            }
            if (body.has("ewsAllowList")) {
                org = org.withEwsAllowList(nullableStrings(body, "ewsAllowList"));
            }
            if (body.has("ewsBlockList")) {
                org = org.withEwsBlockList(nullableStrings(body, "ewsBlockList"));
            }
            state.setOrg(org);
            return TenantSnapshot.org(tenant);
        }));
        router.post("/control/service-accounts").handler(ctx -> change(ctx, body -> {
            ServiceAccount account = new ServiceAccount(body.path("domain").asText("CONTOSO"), required(body, "name"),
                    required(body, "password"));
            state.addServiceAccount(account);
            return Map.of("domain", account.domain(), "name", account.name());
        }));
        // Partial update: grants (delaySeconds), EwsEnabled and EwsAllowedAppIDs changes, each for changes from now on.
        router.put("/control/propagation").handler(ctx -> change(ctx, body -> {
            if (!body.has("delaySeconds") && !body.has("ewsEnabledDelaySeconds") && !body.has("allowListDelaySeconds")) {
                throw new IllegalArgumentException("delaySeconds, ewsEnabledDelaySeconds or allowListDelaySeconds is required");
            }
            if (body.has("delaySeconds")) {
                state.setPropagationDelay(Duration.ofSeconds(number(body, "delaySeconds")));
            }
            if (body.has("ewsEnabledDelaySeconds")) {
                state.setEwsEnabledDelay(Duration.ofSeconds(number(body, "ewsEnabledDelaySeconds")));
            }
            if (body.has("allowListDelaySeconds")) {
                state.setAllowListDelay(Duration.ofSeconds(number(body, "allowListDelaySeconds")));
            }
            return TenantSnapshot.delays(state);
        }));
        router.post("/control/apps").handler(ctx -> change(ctx, body -> {
            App app = new App(required(body, "appId"), text(body, "objectId"), body.path("displayName").asText(""),
                    text(body, "secret"), body.has("entraRoles") ? strings(body.get("entraRoles")) : List.of());
            state.addApp(app);
            return Map.of("appId", app.appId(), "objectId", app.objectId(), "displayName", app.displayName(),
                    "entraRoles", app.entraRoles());
        }));
        router.put("/control/management-scopes/:name").handler(ctx -> change(ctx, body -> {
            state.changeScopeFilter(ctx.pathParam("name"), required(body, "recipientFilter"));
            return Map.of("name", ctx.pathParam("name"), "recipientFilter", body.get("recipientFilter").asText());
        }));
        router.post("/control/apps/:appId/certificates").handler(ctx -> change(ctx, body -> {
            String appId = ctx.pathParam("appId");
            state.app(appId).orElseThrow(() -> new IllegalArgumentException("no app " + appId));
            X509Certificate certificate = ClientAssertions.parseCertificate(required(body, "certificate"));
            return Map.of("thumbprint", state.addCertificate(appId, certificate));
        }));
        router.post("/control/mailboxes").handler(ctx -> change(ctx, body -> {
            List<String> groups = new ArrayList<>();
            body.path("groups").forEach(g -> groups.add(g.asText()));
            Mailbox mailbox = new Mailbox(required(body, "smtp"), text(body, "type"), text(body, "department"), groups,
                    body.has("ewsEnabled") ? nullableFlag(body, "ewsEnabled") : null, text(body, "licence"));
            state.addMailbox(mailbox);
            return mailbox;
        }));
        // Set-CASMailbox -EwsEnabled and the mailbox's licence; fields left out keep their value. Both apply at once.
        router.put("/control/mailboxes/:smtp").handler(ctx -> change(ctx, body -> {
            if (!body.has("ewsEnabled") && !body.has("licence")) {
                throw new IllegalArgumentException("ewsEnabled or licence is required");
            }
            Boolean ewsEnabled = body.has("ewsEnabled") ? nullableFlag(body, "ewsEnabled") : null;
            String licence = body.has("licence") ? Licences.canonical(text(body, "licence")) : null;
            return state.changeMailbox(ctx.pathParam("smtp"), mailbox -> {
                Mailbox changed = body.has("ewsEnabled") ? mailbox.withEwsEnabled(ewsEnabled) : mailbox;
                return body.has("licence") ? changed.withLicence(licence) : changed;
            });
        }));
        router.delete("/control/mailboxes/:smtp").handler(ctx -> removal(ctx, state.removeMailbox(ctx.pathParam("smtp"))));
        router.post("/control/management-scopes").handler(ctx -> change(ctx, body -> {
            state.addScope(required(body, "name"), required(body, "recipientFilter"));
            return Map.of("name", body.get("name").asText(), "recipientFilter", body.get("recipientFilter").asText());
        }));
        router.delete("/control/management-scopes/:name").handler(ctx -> {
            try {
                removal(ctx, state.removeScope(ctx.pathParam("name")));
            } catch (IllegalStateException e) {
                error(ctx, 409, e.getMessage());
            }
        });
        router.post("/control/role-assignments").handler(ctx -> change(ctx, body -> {
            String assignee = text(body, "app") != null ? text(body, "app") : text(body, "user");
            if (assignee == null) {
                throw new IllegalArgumentException("app (an app ID) or user (a service account) is required");
            }
            return state.addAssignment(required(body, "name"), required(body, "role"), assignee, text(body, "scope"));
        }));
        router.delete("/control/role-assignments/:name").handler(ctx ->
                removal(ctx, state.removeAssignment(ctx.pathParam("name"))));
        router.post("/control/clock").handler(ctx -> change(ctx, body -> {
            try {
                Duration by = Duration.parse(required(body, "advance"));
                return Map.of("now", tenant.clock().advance(by).toString());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("advance must be an ISO-8601 duration such as PT1H");
            }
        }));
        // Partial update: fields left out keep their value; DELETE switches every fault off.
        router.put("/control/faults").handler(ctx -> change(ctx, body -> {
            tenant.setFaults(changedFaults(tenant.faults(), body));
            return TenantSnapshot.faults(tenant.faults());
        }));
        router.delete("/control/faults").handler(ctx -> {
            tenant.setFaults(Faults.none());
            send(ctx, 200, TenantSnapshot.faults(tenant.faults()));
        });
    }

    /** The faults with every field the body names changed; a field set to null switches that fault off. */
    private static Faults changedFaults(Faults faults, JsonNode body) {
        Faults f = faults;
        if (body.has("ewsLatencyMs")) {
            f = f.withEwsLatency(number(body, "ewsLatencyMs"));
        }
        if (body.has("serviceUnavailableRetryAfterSeconds")) {
            f = f.withServiceUnavailable(optionalInt(body, "serviceUnavailableRetryAfterSeconds"));
        }
        if (body.has("responseCodes")) {
            f = f.withResponseCodes(byMailbox(body.get("responseCodes")));
        }
        if (body.has("rawAnswer")) {
            f = f.withRawAnswer(rawAnswer(body.get("rawAnswer")));
        }
        if (body.has("concurrencyBudget")) {
            f = f.withConcurrencyBudget(number(body, "concurrencyBudget").intValue());
        }
        if (body.has("serverBusyBackOffMs")) {
            f = f.withServerBusyBackOff(number(body, "serverBusyBackOffMs"));
        }
        if (body.has("missingAnchorLatencyMs")) {
            f = f.withMissingAnchorLatency(number(body, "missingAnchorLatencyMs"));
        }
        if (body.has("adminRawAnswer")) {
            f = f.withAdminRawAnswer(rawAnswer(body.get("adminRawAnswer")));
        }
        if (body.has("adminLatencyMs")) {
            f = f.withAdminLatency(number(body, "adminLatencyMs"));
        }
        if (body.has("graphLatencyMs")) {
            f = f.withGraphLatency(number(body, "graphLatencyMs"));
        }
        if (body.has("graphThrottledRetryAfterSeconds")) {
            f = f.withGraphThrottled(optionalInt(body, "graphThrottledRetryAfterSeconds"));
        }
        if (body.has("graphUnavailableRetryAfterSeconds")) {
            f = f.withGraphUnavailable(optionalInt(body, "graphUnavailableRetryAfterSeconds"));
        }
        if (body.has("graphErrors")) {
            f = f.withGraphErrors(byMailbox(body.get("graphErrors")));
        }
        return f;
    }

    /** A JSON object of mailbox (or {@code *}) to text. */
    private static Map<String, String> byMailbox(JsonNode object) {
        Map<String, String> values = new LinkedHashMap<>();
        object.fields().forEachRemaining(field -> values.put(field.getKey(), field.getValue().asText()));
        return values;
    }

    /** A present integer field that may be null (which switches its fault off). */
    private static Integer optionalInt(JsonNode body, String field) {
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
        } catch (NoSuchElementException e) {
            error(ctx, 404, e.getMessage());
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

    private static Faults.RawAnswer rawAnswer(JsonNode r) {
        return r.isNull() ? null : new Faults.RawAnswer(number(r, "status").intValue(), text(r, "contentType"),
                text(r, "body"));
    }

    private static Long number(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || !node.canConvertToLong()) {
            throw new IllegalArgumentException(field + " must be a whole number");
        }
        return node.asLong();
    }

    /** A present field that is true, false or null, as {@code EwsEnabled} is. */
    private static Boolean nullableFlag(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node.isNull()) {
            return null;
        }
        if (!node.isBoolean()) {
            throw new IllegalArgumentException(field + " must be true, false or null");
        }
        return node.asBoolean();
    }

    /**
     * App IDs as {@code Set-OrganizationConfig -EwsAllowedAppIDs} takes them: one comma-separated string (or a JSON
     * array of them), replacing the whole list; null or an empty string clears it.
     */
    private static List<String> appIds(JsonNode value) {
        if (value.isNull()) {
            return null;
        }
        List<String> ids = new ArrayList<>();
        for (JsonNode part : value.isArray() ? value : List.of(value)) {
            if (!part.isTextual()) {
                throw new IllegalArgumentException("ewsAllowedAppIds must be a comma-separated string, an array of "
                        + "strings, or null");
            }
            Arrays.stream(part.asText().split(",")).map(String::strip).filter(id -> !id.isEmpty()).forEach(ids::add);
        }
        return ids;
    }

    private static boolean flag(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (!node.isBoolean()) {
            throw new IllegalArgumentException(field + " must be true or false");
        }
        return node.asBoolean();
    }

    /** A present field holding an array of strings, or null (which clears the list). */
    private static List<String> nullableStrings(JsonNode body, String field) {
        return body.get(field).isNull() ? null : strings(body.get(field));
    }

    private static List<String> strings(JsonNode array) {
        if (!array.isArray()) {
            throw new IllegalArgumentException("a JSON array of strings is expected");
        }
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return List.copyOf(values);
    }

    /** A field the request must carry, not blank; a missing one is the caller's error (400). */
    static String required(JsonNode body, String field) {
        String value = text(body, field);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
        return value;
    }

    /** A field's text, or null when it is absent or JSON null. */
    static String text(JsonNode body, String field) {
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
