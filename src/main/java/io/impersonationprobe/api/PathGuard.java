package io.impersonationprobe.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.regex.Pattern;

/**
 * Refuses, before routing and before any path-based permission is looked up, a request path that could mean two
 * things: matrix parameters ({@code ;}), backslashes, empty or dot segments, and percent-encoded letters, digits,
 * dots, slashes, backslashes, semicolons or percent signs. No path the daemon serves needs any of them, and each is a
 * known way to make a router and a permission check disagree about which resource is asked for.
 */
@ApplicationScoped
public class PathGuard {
    private static final Pattern AMBIGUOUS = Pattern.compile(
            "[;\\\\]|//|/\\.\\.?(/|$)|%(?i:3[0-9b]|[46][1-9a-f]|[57][0-9a]|2[5def]|5[cf]|7e)");

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String target = ctx.request().uri();
            int query = target.indexOf('?');
            String path = query < 0 ? target : target.substring(0, query);
            if (ambiguous(path)) {
                ctx.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                        .end("{\"type\":\"urn:impersonation-probe:problem:ambiguous-path\",\"title\":\"Invalid request\","
                                + "\"status\":400,\"detail\":\"The request path has matrix parameters, a backslash, an "
                                + "empty or dot segment, or a percent-encoded character that needs no encoding; ask for "
                                + "the plain path.\"}");
                return;
            }
            ctx.next();
        });
    }

    static boolean ambiguous(String path) {
        return AMBIGUOUS.matcher(path).find();
    }
}
