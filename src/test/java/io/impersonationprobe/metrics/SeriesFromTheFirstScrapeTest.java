package io.impersonationprobe.metrics;

import io.impersonationprobe.auth.TokenException;
import io.impersonationprobe.control.AccessConfiguration;
import io.impersonationprobe.control.ControlPlaneEvent;
import io.impersonationprobe.control.ControlPlaneException;
import io.impersonationprobe.control.ControlPlaneListener.Poll;
import io.impersonationprobe.control.ControlPlanePoller;
import io.impersonationprobe.control.EwsAppDecision;
import io.impersonationprobe.control.EwsEnabled;
import io.impersonationprobe.control.Propagation;
import io.impersonationprobe.control.PropagationTracker;
import io.impersonationprobe.probe.Outcome;
import io.impersonationprobe.probe.TargetState;
import io.impersonationprobe.testing.Metrics;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Series whose label values are known at startup exist from the first scrape, whether or not anything has happened
 * yet: rate() and increase() then see the first throttling, failure or event, and an alert can tell "never" from "not
 * scraped". Independent of what the probes have done so far, so it holds at any point of the run.
 */
@QuarkusTest
class SeriesFromTheFirstScrapeTest {

    @TestHTTPResource("/")
    URL daemon;

    @Test
    void everyKnownSeriesIsPresent() throws Exception {
        Metrics metrics = Metrics.scrape(daemon.toString().replaceAll("/$", ""));
        List<String> missing = new ArrayList<>();
        expect(metrics, missing, "impersonation_throttled_total", "tenant", "contoso");
        expect(metrics, missing, "impersonation_backoff_seconds_total", "tenant", "contoso");
        for (Outcome outcome : Outcome.values()) {
            expect(metrics, missing, "impersonation_probes_total", "tenant", "contoso", "group", "sales-and-support",
                    "probe", "ews", "outcome", outcome.label());
        }
        for (TargetState state : TargetState.values()) {
            expect(metrics, missing, "impersonation_targets", "group", "executives", "probe", "ews", "state", state.label());
        }
        expect(metrics, missing, "impersonation_token_requests_total", "tenant", "contoso", "result", "success");
        for (String result : TokenException.errorClasses()) {
            expect(metrics, missing, "impersonation_token_requests_total", "tenant", "contoso", "result", result);
        }
        expect(metrics, missing, "impersonation_token_expiry_timestamp_seconds", "tenant", "contoso");
        for (Poll poll : Poll.values()) {
            expect(metrics, missing, "impersonation_admin_poll_success", "tenant", "contoso", "poll", poll.label());
            expect(metrics, missing, "impersonation_admin_polls_total", "tenant", "contoso", "poll", poll.label(),
                    "result", "ok");
            for (ControlPlaneException.Failure failure : ControlPlaneException.Failure.values()) {
                expect(metrics, missing, "impersonation_admin_polls_total", "tenant", "contoso", "poll", poll.label(),
                        "result", failure.label());
            }
        }
        for (ControlPlaneEvent.Type type : ControlPlaneEvent.Type.values()) {
            expect(metrics, missing, "impersonation_control_plane_events_total", "tenant", "contoso", "type", type.label());
        }
        for (String role : AccessConfiguration.MAILBOX_ROLES) {
            expect(metrics, missing, "impersonation_role_assignments", "tenant", "contoso", "role", role);
        }
        for (Propagation state : Propagation.values()) {
            expect(metrics, missing, "impersonation_propagation_targets", "tenant", "contoso", "state", state.label());
        }
        expect(metrics, missing, "impersonation_propagation_pending", "tenant", "contoso");
        for (PropagationTracker.ChangeKind kind : PropagationTracker.ChangeKind.values()) {
            expect(metrics, missing, "impersonation_propagation_delay_seconds_count", "tenant", "contoso",
                    "kind", kind.label());
        }
        for (EwsEnabled state : EwsEnabled.values()) {
            expect(metrics, missing, "impersonation_org_ews_enabled_state", "tenant", "contoso", "state", state.label());
        }
        for (EwsAppDecision decision : EwsAppDecision.values()) {
            expect(metrics, missing, "impersonation_org_ews_app_decision", "tenant", "contoso",
                    "decision", decision.label());
        }
        for (Poll poll : Poll.values()) {
            expect(metrics, missing, "impersonation_admin_unreadable_properties_total", "tenant", "contoso",
                    "poll", poll.label());
        }
        // The on-premises demo tenant, whose RBAC is read over LDAP: predictions instead of the EWS gates.
        for (String prediction : List.of("allow", "deny", "unknown")) {
            for (String agreement : ControlPlanePoller.AGREEMENTS) {
                expect(metrics, missing, "impersonation_predictions", "tenant", "fabrikam", "prediction", prediction,
                        "agreement", agreement);
            }
        }
        for (Propagation state : Propagation.values()) {
            expect(metrics, missing, "impersonation_propagation_targets", "tenant", "fabrikam", "state", state.label());
        }
        expect(metrics, missing, "impersonation_propagation_delay_seconds_count", "tenant", "fabrikam", "kind", "grant");
        for (ControlPlaneEvent.Type type : ControlPlaneEvent.Type.values()) {
            expect(metrics, missing, "impersonation_control_plane_events_total", "tenant", "fabrikam", "type",
                    type.label());
        }
        assertEquals(List.of(), missing, "series missing from the scrape");
    }

    private static void expect(Metrics metrics, List<String> missing, String name, String... labels) {
        if (metrics.find(name, labels).isEmpty()) {
            missing.add(name + String.join(",", labels));
        }
    }
}
