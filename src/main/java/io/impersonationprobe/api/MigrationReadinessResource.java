package io.impersonationprobe.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** {@code GET /api/v1/readiness}: each tenant's readiness for the end of EWS, target by target. */
@Path("/api/v1/readiness")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(ApiRequests.READ)
@Tag(name = "readiness", description = "EWS and Graph verdicts side by side: migration blockers and Graph scope leaks "
        + "(role: read)")
public class MigrationReadinessResource {
    public record TenantMigrationReadiness(String tenant, Views.MigrationReadinessView readiness) {
    }

    @Inject
    Views views;

    @GET
    @Operation(summary = "Readiness of every tenant with a group probed over both EWS and Graph",
            description = "Blockers work over EWS but not over Graph; graph_leak targets are deny targets Graph reaches.")
    public List<TenantMigrationReadiness> list() {
        return views.tenantIds().stream()
                .flatMap(id -> views.migrationReadiness(id, true).map(r -> new TenantMigrationReadiness(id, r)).stream())
                .toList();
    }
}
