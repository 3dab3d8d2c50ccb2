package io.impersonationprobe.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.ext.web.RoutingContext;

/** Ends a simulator request with a JSON body, as every JSON endpoint of the simulator answers. */
final class JsonAnswer {
    private JsonAnswer() {
    }

    static void send(RoutingContext ctx, ObjectMapper json, int status, Object body) {
        try {
            ctx.response().setStatusCode(status)
                    .putHeader("Content-Type", "application/json; charset=utf-8")
                    .putHeader("Cache-Control", "no-store")
                    .end(json.writeValueAsString(body));
        } catch (Exception e) {
            ctx.fail(e);
        }
    }
}
