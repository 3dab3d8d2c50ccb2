package io.impersonationprobe.api;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.Priorities;

/**
 * Every refusal of the REST API as an RFC 9457 problem: the caller always learns what was wrong, never more than
 * that (no stack trace, no secret, no echo of a header).
 */
public class ProblemMapper {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response apiProblem(ApiProblem problem, UriInfo uri) {
        Response.ResponseBuilder response = answer(problem.status(), Problem.type(problem.type()), problem.title(),
                problem.getMessage(), uri);
        if (problem.retryAfter() != null) {
            response.header("Retry-After", Math.max(1, (problem.retryAfter().toMillis() + 999) / 1000));
        }
        return response.build();
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthenticated(RuntimeException e, UriInfo uri) {
        return answer(401, Problem.type("unauthenticated"), "Authentication required",
                "Send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.", uri)
                .header("WWW-Authenticate", "Bearer realm=\"impersonation-probe\"").build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return answer(403, Problem.type("forbidden"), "Forbidden",
                "This API key does not have the role this endpoint needs (read for results, check for live checks).",
                uri).build();
    }

    // MismatchedInputException is named as well: the closest type wins, and the built-in mapper answers it bare.
    @ServerExceptionMapper({JsonProcessingException.class,
            MismatchedInputException.class})
    public Response unreadableJson(JsonProcessingException e, UriInfo uri) {
        return answer(400, Problem.type("invalid-body"), "Invalid request", "The request body is not a JSON object "
                + "of the expected shape: {\"tenant\": \"...\", \"mailbox\": \"...\", \"expect\": \"allow|deny\"}.", uri)
                .build();
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        String detail = switch (status) {
            case 400 -> "The request body is not valid JSON of the expected shape.";
            case 404 -> "No such resource.";
            case 405 -> "This method is not allowed here.";
            case 406 -> "None of the accepted media types can be produced; ask for application/json or text/plain.";
            case 413 -> "The request body is too large.";
            case 415 -> "Send the body as application/json.";
            default -> Response.Status.fromStatusCode(status) == null ? "The request failed."
                    : Response.Status.fromStatusCode(status).getReasonPhrase() + ".";
        };
        if (status >= 500) {
            LOG.error("API request failed", e);
        }
        return answer(status, Problem.type(null), title(status), detail, uri).build();
    }

    @ServerExceptionMapper(priority = Priorities.USER + 1000)
    public Response unexpected(Exception e, UriInfo uri) {
        LOG.error("API request failed", e);
        return answer(500, Problem.type(null), "Internal error", "The daemon failed to answer; its log says why.", uri)
                .build();
    }

    private static Response.ResponseBuilder answer(int status, String type, String title, String detail, UriInfo uri) {
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(new Problem(type, title, status, detail, uri == null ? null : uri.getPath()));
    }

    private static String title(int status) {
        Response.Status known = Response.Status.fromStatusCode(status);
        return known == null ? "HTTP " + status : known.getReasonPhrase();
    }
}
