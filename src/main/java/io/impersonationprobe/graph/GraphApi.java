package io.impersonationprobe.graph;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.concurrent.CompletionStage;

/** The one Microsoft Graph call the probe makes: the ID of a well-known mail folder, never mail. */
public interface GraphApi {

    /**
     * {@code GET /v1.0/users/{mailbox}/mailFolders/{folder}?$select=id}; the raw response is returned so every status
     * and body can be classified, and asynchronously so the probe can hold its own deadline.
     */
    @GET
    @Path("/v1.0/users/{mailbox}/mailFolders/{folder}")
    @Produces(MediaType.APPLICATION_JSON)
    CompletionStage<Response> mailFolder(@PathParam("mailbox") String mailbox, @PathParam("folder") String folder,
                                         @QueryParam("$select") String select,
                                         @HeaderParam("Authorization") String authorization,
                                         @HeaderParam("client-request-id") String clientRequestId,
                                         @HeaderParam("return-client-request-id") String returnClientRequestId,
                                         @HeaderParam("User-Agent") String userAgent);
}
