package io.impersonationprobe.control;

import io.quarkus.rest.client.reactive.Url;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The Exchange Online admin API that the ExchangeOnlineManagement module uses: one endpoint that runs a cmdlet.
 * Not a published contract (a documented v2.0 API in preview covers only a few endpoints), so answers are read defensively.
 */
public interface AdminApi {

    /** Runs a cmdlet; the raw response is returned so every status and body can be classified. */
    @POST
    @Path("/adminapi/beta/{tenant}/InvokeCommand")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Response invoke(@PathParam("tenant") String tenant, @HeaderParam("Authorization") String authorization,
                    @HeaderParam("X-AnchorMailbox") String anchorMailbox, String body);

    /** The next page of an answer: the same request, sent to its {@code @odata.nextLink}. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Response next(@Url String nextLink, @HeaderParam("Authorization") String authorization,
                  @HeaderParam("X-AnchorMailbox") String anchorMailbox, String body);
}
