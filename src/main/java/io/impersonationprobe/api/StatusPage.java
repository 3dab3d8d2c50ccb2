package io.impersonationprobe.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.impersonationprobe.config.ProbeConfig;
import io.impersonationprobe.probe.TargetStatus;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /}: the daemon at a glance for a person in a browser, rendered on the server (Qute, no script). */
@Path("/")
@Tag(name = "status page")
public class StatusPage {
    static final int EVENTS_SHOWN = 20;
    /** Results shown in a failing target's strip, oldest on the left. */
    static final int STRIP_RESULTS = 12;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> PENDING = Set.of("pending", "stuck", "revoke_pending", "mismatch");

    @Inject
    Views views;
    @Inject
    ProbeConfig config;
    @Inject
    SecurityIdentity identity;
    @Inject
    StatusTemplate template;
    @Inject
    PeerTargets peers;
    @Context
    UriInfo uri;

    /**
     * A failing target as the page lists it: its standing result, its last results (oldest first) and the live check
     * to run for it, as a shell command with the API key left to the reader.
     */
    public record FailingTarget(Views.TargetView target, List<Views.ResultView> strip, String checkCommand) {
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The status page")
    public String page() {
        if (config.api().protectStatusPage()) {
            if (identity.isAnonymous()) {
                throw new UnauthorizedException();
            }
            if (!identity.hasRole(ApiRequests.READ)) {
                throw new ForbiddenException();
            }
        }
        List<Views.TenantView> tenants = new ArrayList<>();
        List<Views.EventView> events = new ArrayList<>();
        for (String id : views.tenantIds()) {
            Views.TenantView tenant = views.tenant(id, true).orElseThrow();
            tenants.add(tenant);
            if (tenant.events() != null) {
                events.addAll(tenant.events());
            }
        }
        events.sort(Comparator.comparing(Views.EventView::at).reversed());
        List<FailingTarget> failing = new ArrayList<>();
        List<Views.TargetView> pending = new ArrayList<>();
        int unknown = 0;
        int results = 0;
        // A target probed over EWS and Graph has two results; the header counts targets.
        Set<String> targets = new HashSet<>();
        for (var status : views.targets()) {
            Views.TargetView target = views.target(status, false);
            results++;
            targets.add(target.id());
            if ("failing".equals(target.state())) {
                failing.add(failing(status));
            } else if ("unknown".equals(target.state())) {
                unknown++;
            }
            if (target.propagation() != null && PENDING.contains(target.propagation())) {
                pending.add(target);
            }
        }
        // With peers, the whole estate: their failing targets join this replica's (their history stays with them).
        List<PeerTargets.ShardAnswer> unreachable = new ArrayList<>();
        if (peers.configured()) {
            for (PeerTargets.ShardAnswer shard : peers.fetch(Map.of("state", "failing"), Integer.MAX_VALUE)) {
                if (!shard.answered()) {
                    unreachable.add(shard);
                }
                for (Views.TargetView target : shard.targets()) {
                    failing.add(new FailingTarget(target, List.of(), checkCommand(target)));
                }
            }
        }
        List<MigrationReadinessResource.TenantMigrationReadiness> readiness = new ArrayList<>();
        for (String id : views.tenantIds()) {
            views.migrationReadiness(id, true).ifPresent(r -> readiness.add(new MigrationReadinessResource.TenantMigrationReadiness(id, r)));
        }
        return template.template().data("tenants", tenants)
                .data("readiness", readiness)
                .data("groups", views.groups(null))
                .data("failing", failing)
                .data("pending", pending)
                .data("events", events.subList(0, Math.min(EVENTS_SHOWN, events.size())))
                .data("total", targets.size())
                .data("unknown", unknown)
                .data("noData", unknown == results)
                .data("unreachable", unreachable)
                .data("peered", peers.configured())
                .data("now", Instant.now())
                .render();
    }

    private FailingTarget failing(TargetStatus status) {
        Views.TargetView target = views.target(status, true);
        List<Views.ResultView> strip = new ArrayList<>(target.history().subList(0,
                Math.min(STRIP_RESULTS, target.history().size())));
        Collections.reverse(strip);
        return new FailingTarget(target, strip, checkCommand(target));
    }

    /** The live check of this target and probe kind, as the API page shows it; every value shell-quoted. */
    private String checkCommand(Views.TargetView target) {
        ObjectNode body = JSON.createObjectNode().put("tenant", target.tenant()).put("mailbox", target.mailbox())
                .put("probe", target.probe());
        String url = uri.getBaseUriBuilder().path("api/v1/checks").build().toString();
        return "curl -s -H \"Authorization: Bearer $KEY\" -H 'Content-Type: application/json' -H 'Accept: text/plain' "
                + "-X POST " + shellQuoted(url) + " -d " + shellQuoted(body.toString());
    }

    private static String shellQuoted(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
