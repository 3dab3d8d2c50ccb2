package io.impersonationprobe.api;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Map;

/**
 * The request's size limits, refused with the same problem answer as every other refusal and before anything else
 * runs: a request target over {@value #MAX_TARGET} characters (414), a header section over {@value #MAX_HEADERS}
 * bytes (431), a body over {@code quarkus.http.limits.max-body-size} (413), whether declared by its length or sent
 * in chunks (a chunked body is read here, under the cap, so the REST layer never meets the limit mid-read). The HTTP
 * layer's own limits ({@code quarkus.http.limits.max-initial-line-length}, {@code max-header-size}) sit above these
 * as the hard ceiling, where it answers a bare 414 or 431.
 */
@ApplicationScoped
public class RequestLimits {
    static final int MAX_TARGET = 4096;
    static final int MAX_HEADERS = 20 * 1024;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    MemorySize limit;

    void install(@Observes Router router) {
        BodyHandler chunked = BodyHandler.create(false).setBodyLimit(limit.asLongValue()).setHandleFileUploads(false);
        router.route().order(Integer.MIN_VALUE + 100).handler(ctx -> {
            if (ctx.request().uri().length() > MAX_TARGET) {
                refuse(ctx, 414, "uri-too-long", "Request target too long",
                        "Request paths and queries are limited to " + MAX_TARGET + " characters.");
                return;
            }
            long headers = 0;
            for (Map.Entry<String, String> header : ctx.request().headers()) {
                headers += header.getKey().length() + header.getValue().length() + 4;
            }
            if (headers > MAX_HEADERS) {
                refuse(ctx, 431, "headers-too-large", "Request headers too large",
                        "Request headers are limited to " + MAX_HEADERS + " bytes in all.");
                return;
            }
            String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length == null && ctx.request().getHeader(HttpHeaders.TRANSFER_ENCODING) != null) {
                chunked.handle(ctx);
                return;
            }
            long declared;
            try {
                declared = length == null ? -1 : Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                declared = -1;
            }
            if (declared > limit.asLongValue()) {
                tooLarge(ctx);
                return;
            }
            ctx.next();
        }).failureHandler(ctx -> {
            // The chunked body's reader fails the request with 413 once the cap is passed.
            if (ctx.statusCode() == 413 && !ctx.response().headWritten()) {
                tooLarge(ctx);
            } else {
                ctx.next();
            }
        });
    }

    private void tooLarge(RoutingContext ctx) {
        refuse(ctx, 413, "body-too-large", "Request body too large",
                "Request bodies are limited to " + limit.asLongValue() + " bytes.");
    }

    private static void refuse(RoutingContext ctx, int status, String type, String title, String detail) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end("{\"type\":\"" + Problem.type(type) + "\",\"title\":\"" + title + "\",\"status\":" + status
                        + ",\"detail\":\"" + detail + "\"}");
    }
}
