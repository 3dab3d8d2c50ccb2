package io.impersonationprobe.api;

import io.impersonationprobe.config.ProbeConfig;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Duration;
import java.util.Locale;

/**
 * {@code GET /probe?tenant=&mailbox=}, in the style of the blackbox exporter, for users who let Prometheus schedule
 * probes: one synchronous live check answered in the Prometheus text format.
 */
@Path("/probe")
@Tag(name = "probe", description = "Blackbox-style probe for Prometheus (role: check)")
public class BlackboxProbeResource {
    static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";
    /** Left of Prometheus' scrape timeout for the answer to travel back, as the blackbox exporter does. */
    static final Duration TIMEOUT_OFFSET = Duration.ofMillis(500);
    static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);

    @Inject
    LiveChecks checks;
    @Inject
    SecurityIdentity identity;
    @Inject
    ProbeConfig config;

    @GET
    @RolesAllowed(ApiRequests.CHECK)
    @Produces({"text/plain", MediaType.WILDCARD})
    @Operation(summary = "Probe one mailbox now; Prometheus text format",
            description = "The timeout comes from X-Prometheus-Scrape-Timeout-Seconds; debug=true returns the trace.")
    public Response probe(@QueryParam("tenant") String tenant, @QueryParam("mailbox") String mailbox,
                          @QueryParam("expect") String expect, @QueryParam("probe") String probeKind,
                          @QueryParam("debug") boolean debug,
                          @HeaderParam("X-Prometheus-Scrape-Timeout-Seconds") String scrapeTimeout) {
        LiveChecks.CheckRequest request = checks.validate(tenant, mailbox, expect, probeKind);
        CheckReport report = checks.run(ApiRequests.caller(identity), "probe", request, timeout(scrapeTimeout));
        if (debug) {
            return Response.ok(TextReport.render(report), "text/plain; charset=utf-8").build();
        }
        return Response.ok(exposition(report), TEXT_FORMAT).build();
    }

    /** Prometheus' scrape timeout less the offset, within one second and the configured probe timeout. */
    Duration timeout(String scrapeTimeout) {
        Duration max = config.probe().timeout();
        if (scrapeTimeout == null || scrapeTimeout.isBlank()) {
            return max;
        }
        double seconds;
        try {
            seconds = Double.parseDouble(scrapeTimeout.strip());
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("invalid-timeout", "X-Prometheus-Scrape-Timeout-Seconds must be a number of seconds.");
        }
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
            throw ApiProblem.badRequest("invalid-timeout", "X-Prometheus-Scrape-Timeout-Seconds must be positive.");
        }
        Duration wanted = Duration.ofMillis((long) Math.min(seconds * 1000, Long.MAX_VALUE / 2)).minus(TIMEOUT_OFFSET);
        if (wanted.compareTo(MIN_TIMEOUT) < 0) {
            return MIN_TIMEOUT;
        }
        return wanted.compareTo(max) > 0 ? max : wanted;
    }

    static String exposition(CheckReport report) {
        StringBuilder out = new StringBuilder();
        gauge(out, "probe_success", "Whether the live check's verdict met the expectation.", report.success() ? 1 : 0);
        gauge(out, "probe_duration_seconds", "How long the live check took, token and control plane included.",
                report.durationMillis() / 1000.0);
        gauge(out, "probe_impersonation_access_granted", "Whether the daemon could act as the mailbox.",
                "allowed".equals(report.verdict()) ? 1 : 0);
        out.append("# HELP probe_impersonation_outcome The live check's classified outcome and verdict (always 1).\n")
                .append("# TYPE probe_impersonation_outcome gauge\n")
                .append("probe_impersonation_outcome{outcome=\"").append(report.outcome()).append("\",verdict=\"")
                .append(report.verdict()).append("\",expect=\"").append(report.expect()).append("\",probe=\"")
                .append(report.probe()).append("\"} 1\n");
        return out.toString();
    }

    private static void gauge(StringBuilder out, String name, String help, double value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(format(value)).append('\n');
    }

    private static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.6f", value);
    }
}
