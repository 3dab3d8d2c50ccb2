package io.impersonationprobe.api;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/** Tenants with their control-plane state and events. */
@Path("/api/v1/tenants")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(ApiRequests.READ)
@Tag(name = "tenants", description = "Tenants and their control plane (role: read)")
public class TenantsResource {
    @Inject
    Views views;

    @GET
    @Operation(summary = "Every configured tenant with its groups and organisation state")
    public List<Views.TenantView> list() {
        return views.tenantIds().stream().map(id -> views.tenant(id, false).orElseThrow()).toList();
    }

    @GET
    @Path("{id}")
    @Operation(summary = "One tenant: organisation flags, role assignments, scopes, propagation, recent events")
    public Views.TenantView one(@PathParam("id") String id) {
        return views.tenant(id, true).orElseThrow(() -> ApiProblem.notFound("unknown-tenant",
                "No such tenant; GET /api/v1/tenants lists them."));
    }
}
