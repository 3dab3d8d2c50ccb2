package io.impersonationprobe.api;

import io.impersonationprobe.config.ProbeConfig;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code POST /api/v1/checks}: can the daemon act as this mailbox right now, and if not, why and what to do. */
@Path("/api/v1/checks")
@Tag(name = "checks", description = "Live checks (role: check)")
public class ChecksResource {

    /**
     * A live check request.
     *
     * @param tenant  a configured tenant id
     * @param mailbox the mailbox's SMTP address
     * @param expect  allow or deny; by default the configured group's expectation, else allow
     * @param probe   the probe kind; by default the first configured
     */
    public record CheckBody(String tenant, String mailbox, String expect, String probe) {
    }

    @Inject
    LiveChecks checks;
    @Inject
    SecurityIdentity identity;
    @Inject
    ProbeConfig config;

    @POST
    @RolesAllowed(ApiRequests.CHECK)
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN})
    @Operation(summary = "Run a live probe now and trace every step",
            description = "Never a cached result. Accept: text/plain gives a readable report.")
    public Response check(CheckBody body, @Context HttpHeaders headers) {
        if (body == null) {
            throw ApiProblem.badRequest("invalid-body", "Send a JSON body such as {\"tenant\":\"contoso\","
                    + "\"mailbox\":\"alex.wilber@contoso.com\"}.");
        }
        LiveChecks.CheckRequest request = checks.validate(body.tenant(), body.mailbox(), body.expect(), body.probe());
        CheckReport report = checks.run(ApiRequests.caller(identity), "api", request, config.probe().timeout());
        return ApiRequests.wantsText(headers)
                ? Response.ok(TextReport.render(report), MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8")).build()
                : Response.ok(report, MediaType.APPLICATION_JSON_TYPE).build();
    }
}
