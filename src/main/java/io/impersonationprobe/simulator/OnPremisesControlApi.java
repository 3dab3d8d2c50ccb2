package io.impersonationprobe.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.unboundid.ldap.sdk.Entry;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * {@code /control/on-premises/}: read and change the on-premises tenant's directory as an Exchange administrator
 * would with the Exchange Management Shell and Active Directory's tools: add, remove, enable or disable role
 * assignments, change a scope's filter, move accounts in and out of groups, set the RBAC cache delay. Each change
 * reaches EWS once the cache delay has passed. Errors as in the rest of the control API: 400, 404, 409 with
 * {@code {"error": "..."}}.
 */
final class OnPremisesControlApi {
    private static final String BASE = "/control/on-premises";

    private final OnPremisesDirectory directory;
    private final OnPremisesEwsEndpoint ews;
    private final ObjectMapper json;

    OnPremisesControlApi(OnPremisesDirectory directory, OnPremisesEwsEndpoint ews, ObjectMapper json) {
        this.directory = directory;
        this.ews = ews;
        this.json = json;
    }

    void routes(Router router) {
        router.get(BASE + "/state").handler(ctx -> send(ctx, 200, state()));
        router.post(BASE + "/role-assignments").handler(ctx -> change(ctx, 201, body -> {
            String assignee = ControlApi.text(body, "user") != null ? ControlApi.text(body, "user") : ControlApi.text(body, "group");
            if (assignee == null) {
                throw new IllegalArgumentException("user or group (its name) is required");
            }
            directory.addAssignment(ControlApi.required(body, "name"), assignee, ControlApi.text(body, "scope"),
                    body.path("delegating").asBoolean(false));
            return assignment(body.get("name").asText());
        }));
        router.delete(BASE + "/role-assignments/:name").handler(ctx -> {
            if (directory.removeAssignment(ctx.pathParam("name"))) {
                ctx.response().setStatusCode(204).end();
            } else {
                send(ctx, 404, Map.of("error", "no role assignment named '" + ctx.pathParam("name") + "'"));
            }
        });
        router.put(BASE + "/role-assignments/:name").handler(ctx -> change(ctx, 200, body -> {
            JsonNode enabled = body.get("enabled");
            if (enabled == null || !enabled.isBoolean()) {
                throw new IllegalArgumentException("enabled must be true or false");
            }
            directory.setAssignmentEnabled(ctx.pathParam("name"), enabled.asBoolean());
            return assignment(ctx.pathParam("name"));
        }));
        router.put(BASE + "/management-scopes/:name").handler(ctx -> change(ctx, 200, body -> {
            directory.setScopeFilter(ctx.pathParam("name"), ControlApi.required(body, "recipientFilter"));
            return Map.of("name", ctx.pathParam("name"), "recipientFilter", body.get("recipientFilter").asText());
        }));
        router.put(BASE + "/groups/:group/members/:member").handler(ctx -> membership(ctx, true));
        router.delete(BASE + "/groups/:group/members/:member").handler(ctx -> membership(ctx, false));
        router.put(BASE + "/cache-delay").handler(ctx -> change(ctx, 200, body -> {
            JsonNode seconds = body.get("delaySeconds");
            if (seconds == null || !seconds.canConvertToLong()) {
                throw new IllegalArgumentException("delaySeconds must be a whole number");
            }
            directory.setCacheDelay(Duration.ofSeconds(seconds.asLong()));
            return Map.of("delaySeconds", seconds.asLong());
        }));
    }

    private void membership(RoutingContext ctx, boolean in) {
        try {
            directory.setMember(ctx.pathParam("group"), ctx.pathParam("member"), in);
            ctx.response().setStatusCode(204).end();
        } catch (NoSuchElementException e) {
            send(ctx, 404, Map.of("error", e.getMessage()));
        }
    }

    /** The directory as it is, and what EWS answers for the probe's account now and once the cache has caught up. */
    private Map<String, Object> state() {
        OnPremisesRbac now = directory.current();
        OnPremisesRbac effective = directory.effective();
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("ldapPort", directory.port());
        state.put("defaultNamingContext", OnPremisesDemo.DOMAIN_DN);
        state.put("cacheDelaySeconds", directory.cacheDelay().toSeconds());
        List<Object> assignments = new ArrayList<>();
        now.children(OnPremisesRbac.dn(OnPremisesDemo.ASSIGNMENTS_DN)).forEach(a -> assignments.add(describe(now, a)));
        state.put("roleAssignments", assignments);
        List<Object> scopes = new ArrayList<>();
        for (Entry scope : now.children(OnPremisesRbac.dn(OnPremisesDemo.SCOPES_DN))) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("name", scope.getAttributeValue("cn"));
            s.put("root", scope.getAttributeValue("msExchScopeRoot"));
            s.put("recipientFilter", scope.getAttributeValue("msExchQueryFilter"));
            s.put("exclusive", RbacFlags.exclusive(OnPremisesRbac.scopeFlags(scope)));
            s.put("whenChanged", scope.getAttributeValue("whenChanged"));
            scopes.add(s);
        }
        state.put("managementScopes", scopes);
        List<Object> groups = new ArrayList<>();
        for (Entry group : now.entries()) {
            if (group.hasObjectClass("group")) {
                List<String> members = group.hasAttribute("member") ? List.of(group.getAttributeValues("member")).stream()
                        .map(m -> now.entry(OnPremisesRbac.dn(m)).map(e -> e.getAttributeValue("cn")).orElse(m)).toList()
                        : List.of();
                groups.add(Map.of("name", group.getAttributeValue("cn"), "members", members));
            }
        }
        state.put("groups", groups);
        List<Object> access = new ArrayList<>();
        for (Entry mailbox : now.entries()) {
            if (mailbox.hasAttribute("msExchRecipientTypeDetails")) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("mailbox", mailbox.getAttributeValue("mail"));
                m.put("department", mailbox.getAttributeValue("department"));
                m.put("msExchRecipientTypeDetails", mailbox.getAttributeValueAsLong("msExchRecipientTypeDetails"));
                var configured = now.decide(OnPremisesDemo.PROBE_ACCOUNT, mailbox);
                m.put("configured", configured.allowed());
                m.put("because", configured.because());
                m.put("effective", effective.mailbox(mailbox.getAttributeValue("mail"))
                        .map(e -> effective.decide(OnPremisesDemo.PROBE_ACCOUNT, e).allowed()).orElse(false));
                access.add(m);
            }
        }
        state.put(OnPremisesDemo.PROBE_ACCOUNT, access);
        state.put("counters", ews.counters());
        return state;
    }

    private Map<String, Object> assignment(String name) {
        OnPremisesRbac now = directory.current();
        return now.children(OnPremisesRbac.dn(OnPremisesDemo.ASSIGNMENTS_DN)).stream()
                .filter(a -> name.equalsIgnoreCase(a.getAttributeValue("cn"))).findFirst()
                .map(a -> describe(now, a)).orElseThrow();
    }

    private static Map<String, Object> describe(OnPremisesRbac directory, Entry assignment) {
        long flags = OnPremisesRbac.flags(assignment);
        Function<String, String> name = attribute -> {
            String dn = assignment.getAttributeValue(attribute);
            return dn == null ? null
                    : directory.entry(OnPremisesRbac.dn(dn)).map(e -> e.getAttributeValue("cn")).orElse(dn);
        };
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("name", assignment.getAttributeValue("cn"));
        a.put("role", name.apply("msExchRoleLink"));
        a.put("assignee", name.apply("msExchUserLink"));
        a.put("assigneeType", RbacFlags.assigneeTypeName(RbacFlags.assigneeType(flags)));
        a.put("enabled", RbacFlags.enabled(flags));
        a.put("delegation", RbacFlags.delegationName(RbacFlags.delegation(flags)));
        a.put("recipientWriteScope", RbacFlags.writeScopeName(RbacFlags.writeScope(flags)));
        a.put("scope", name.apply("msExchDomainRestrictionLink"));
        a.put("msExchRoleAssignmentFlags", flags);
        a.put("whenChanged", assignment.getAttributeValue("whenChanged"));
        return a;
    }

    private void change(RoutingContext ctx, int status, Function<JsonNode, Object> change) {
        JsonNode body;
        try {
            body = json.readTree(ctx.body().asString());
        } catch (Exception e) {
            send(ctx, 400, Map.of("error", "the body is not JSON"));
            return;
        }
        if (body == null || !body.isObject()) {
            send(ctx, 400, Map.of("error", "the body must be a JSON object"));
            return;
        }
        try {
            send(ctx, status, change.apply(body));
        } catch (NoSuchElementException e) {
            send(ctx, 404, Map.of("error", e.getMessage()));
        } catch (IllegalArgumentException e) {
            send(ctx, 400, Map.of("error", e.getMessage()));
        } catch (IllegalStateException e) {
            send(ctx, 409, Map.of("error", e.getMessage()));
        }
    }

    private void send(RoutingContext ctx, int status, Object body) {
        JsonAnswer.send(ctx, json, status, body);
    }
}
