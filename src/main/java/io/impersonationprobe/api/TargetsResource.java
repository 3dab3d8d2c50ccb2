package io.impersonationprobe.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.impersonationprobe.config.ValidatedConfig;
import io.impersonationprobe.probe.Outcome;
import io.impersonationprobe.probe.TargetState;
import io.impersonationprobe.probe.TargetStatus;
import io.impersonationprobe.target.ProbeKind;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/** The scheduled probes' standing results: {@code GET /api/v1/targets} and one target with its history. */
@Path("/api/v1/targets")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(ApiRequests.READ)
@Tag(name = "targets", description = "Results of scheduled probes (role: read)")
public class TargetsResource {
    static final int MAX_PAGE_SIZE = 500;

    /** {@code scope=local}: this replica's own targets only, as a peer asks for them. */
    static final String LOCAL = "local";
    static final String ALL = "all";

    /**
     * @param shards with peers configured and scope {@code all}: every shard and whether it answered, so that a
     *               missing shard is visible; absent otherwise
     */
    public record Page(List<Views.TargetView> items, int page, int size, int total,
                       @JsonInclude(JsonInclude.Include.NON_NULL) List<ShardView> shards) {
    }

    /**
     * One replica's share in a merged list.
     *
     * @param status  {@code answered} or {@code unreachable}
     * @param reason  why it did not answer; absent when it did
     * @param targets its matching targets in the list (0 when unreachable)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ShardView(int index, String status, String reason, int targets) {
    }

    @Inject
    Views views;
    @Inject
    ValidatedConfig config;
    @Inject
    PeerTargets peers;

    @GET
    @Operation(summary = "Last results, filtered and paged", description = "page starts at 1; size at most 500. "
            + "With peers configured, the whole estate: this replica's targets and each peer's, and under shards "
            + "which replicas answered; scope=local gives this replica's targets only.")
    public Page list(@QueryParam("tenant") String tenant, @QueryParam("group") String group,
                     @QueryParam("probe") String probe, @QueryParam("state") String state, @QueryParam("outcome") String outcome,
                     @QueryParam("page") @DefaultValue("1") int page, @QueryParam("size") @DefaultValue("50") int size,
                     @QueryParam("scope") @DefaultValue(ALL) String scope) {
        if (!LOCAL.equals(scope) && !ALL.equals(scope)) {
            throw ApiProblem.badRequest("invalid-filter", "'scope' must be " + ALL + " or " + LOCAL + ".");
        }
        if (page < 1) {
            throw ApiProblem.badRequest("invalid-filter", "'page' starts at 1.");
        }
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw ApiProblem.badRequest("invalid-filter", "'size' must be between 1 and " + MAX_PAGE_SIZE + ".");
        }
        if (tenant != null && !views.tenantIds().contains(tenant)) {
            throw ApiProblem.notFound("unknown-tenant", "No such tenant; GET /api/v1/tenants lists them.");
        }
        TargetState wantedState = state == null ? null : Arrays.stream(TargetState.values())
                .filter(s -> s.label().equals(state.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> ApiProblem.badRequest("invalid-filter", "'state' must be one of "
                        + Arrays.stream(TargetState.values()).map(TargetState::label).toList() + "."));
        if (outcome != null && Arrays.stream(Outcome.values()).noneMatch(o -> o.label().equals(outcome))) {
            throw ApiProblem.badRequest("invalid-filter", "'outcome' must be one of "
                    + Arrays.stream(Outcome.values()).map(Outcome::label).toList() + ".");
        }
        ProbeKind wantedProbe = probe == null ? null : ProbeKind.ofLabel(probe).orElseThrow(() ->
                ApiProblem.badRequest("invalid-filter", "'probe' must be one of " + ProbeKind.labels() + "."));
        List<TargetStatus> matching = views.targets().stream()
                .filter(s -> Views.matches(s, tenant, group, wantedProbe, wantedState, outcome)).toList();
        if (LOCAL.equals(scope) || !peers.configured()) {
            int from = (int) Math.min((long) (page - 1) * size, matching.size());
            int to = Math.min(from + size, matching.size());
            return new Page(matching.subList(from, to).stream().map(s -> views.target(s, false)).toList(), page, size,
                    matching.size(), null);
        }
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("tenant", tenant);
        filters.put("group", group);
        filters.put("probe", probe);
        filters.put("state", state);
        filters.put("outcome", outcome);
        // The merged list is this replica's targets, then each peer's in index order; a page takes its slice of
        // that sequence, so from each peer it needs at most the targets up to the page's end.
        long from = (long) (page - 1) * size;
        long to = from + size;
        List<Views.TargetView> items = new ArrayList<>();
        List<ShardView> shards = new ArrayList<>();
        long offset = slice(matching.stream().map(s -> views.target(s, false)).toList(), 0, from, to, items);
        shards.add(new ShardView(config.shard().index(), "answered", null, matching.size()));
        for (PeerTargets.ShardAnswer answer : peers.fetch(filters, (int) Math.min(to, Integer.MAX_VALUE))) {
            offset = slice(answer.targets(), offset, from, to, items) + answer.total() - answer.targets().size();
            shards.add(answer.answered() ? new ShardView(answer.index(), "answered", null, answer.total())
                    : new ShardView(answer.index(), "unreachable", answer.unreachable(), 0));
        }
        shards.sort(Comparator.comparingInt(ShardView::index));
        return new Page(List.copyOf(items), page, size, (int) Math.min(offset, Integer.MAX_VALUE), List.copyOf(shards));
    }

    /** Adds the targets whose place in the merged list, counted from {@code offset}, is in [from, to); the next offset. */
    private static long slice(List<Views.TargetView> targets, long offset, long from, long to,
                              List<Views.TargetView> into) {
        for (Views.TargetView target : targets) {
            if (offset >= from && offset < to) {
                into.add(target);
            }
            offset++;
        }
        return offset;
    }

    @GET
    @Path("{group}/{mailbox}")
    @Operation(summary = "One target with its recent results", description = "The id is group/mailbox; failures are "
            + "kept longer than successes. probe picks the probe kind (default: the group's first, normally ews).")
    public Views.TargetView one(@PathParam("group") String group, @PathParam("mailbox") String mailbox,
                                @QueryParam("probe") String probe) {
        List<ProbeKind> kinds = views.probesOf(group);
        ProbeKind kind = probe == null || probe.isBlank() ? (kinds.isEmpty() ? ProbeKind.EWS : kinds.get(0))
                : ProbeKind.ofLabel(probe).orElse(null);
        if (kind == null || (!kinds.isEmpty() && !kinds.contains(kind))) {
            throw ApiProblem.notFound("unknown-target", "Group " + group + " is probed with "
                    + kinds.stream().map(ProbeKind::label).toList() + " only.");
        }
        return views.target(kind, group + "/" + mailbox.toLowerCase(Locale.ROOT)).map(s -> views.target(s, true))
                .orElseThrow(() -> ApiProblem.notFound("unknown-target", "No such target; its id is group/mailbox as "
                        + "GET /api/v1/targets lists them."));
    }
}
