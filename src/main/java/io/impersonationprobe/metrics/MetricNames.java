package io.impersonationprobe.metrics;

/**
 * The one place that knows every metric name. Names are a public interface (dashboards, alerts and users' queries
 * depend on them): Micrometer writes {@code impersonation.probes} as {@code impersonation_probes_total} and a timer
 * {@code impersonation.probe.duration} as the histogram {@code impersonation_probe_duration_seconds}.
 */
final class MetricNames {
    static final String PROBE_SUCCESS = "impersonation.probe.success";
    static final String PROBE_ACCESS_GRANTED = "impersonation.probe.access.granted";
    static final String PROBE_LAST_RUN = "impersonation.probe.last.run.timestamp.seconds";
    static final String PROBE_LAST_SUCCESS = "impersonation.probe.last.success.timestamp.seconds";
    static final String PROBE_DURATION = "impersonation.probe.duration";
    static final String PROBES = "impersonation.probes";
    static final String TARGETS = "impersonation.targets";
    static final String SCOPE_LEAKS = "impersonation.scope.leaks";
    static final String THROTTLED = "impersonation.throttled";
    static final String BACKOFF = "impersonation.backoff.seconds";
    static final String SHARD_REPLICAS = "impersonation.shard.replicas";
    static final String SHARD_INDEX = "impersonation.shard.index";
    static final String MIGRATION_BLOCKERS = "impersonation.migration.blockers";
    static final String EWS_RETIREMENT = "impersonation.ews.retirement.timestamp.seconds";

    static final String TOKEN_REQUESTS = "impersonation.token.requests";
    static final String TOKEN_ACQUISITION = "impersonation.token.acquisition.duration";
    static final String TOKEN_EXPIRY = "impersonation.token.expiry.timestamp.seconds";
    static final String CERTIFICATE_EXPIRY = "impersonation.client.certificate.expiry.timestamp.seconds";

    static final String ORG_DEHYDRATED = "impersonation.org.dehydrated";
    static final String ORG_EWS_ENABLED = "impersonation.org.ews.enabled";
    static final String ORG_EWS_APP_ALLOWED = "impersonation.org.ews.app.allowed";
    static final String ORG_EWS_ENABLED_STATE = "impersonation.org.ews.enabled.state";
    static final String ORG_EWS_APP_DECISION = "impersonation.org.ews.app.decision";
    static final String ADMIN_UNREADABLE = "impersonation.admin.unreadable.properties";
    static final String ADMIN_POLL_SUCCESS = "impersonation.admin.poll.success";
    static final String ADMIN_POLL_DURATION = "impersonation.admin.poll.duration.seconds";
    static final String ADMIN_POLLS = "impersonation.admin.polls";
    static final String ROLE_ASSIGNMENTS = "impersonation.role.assignments";
    static final String CONTROL_PLANE_EVENTS = "impersonation.control.plane.events";
    static final String PROPAGATION_PENDING = "impersonation.propagation.pending";
    static final String PROPAGATION_TARGETS = "impersonation.propagation.targets";
    static final String PROPAGATION_DELAY = "impersonation.propagation.delay";
    static final String PREDICTIONS = "impersonation.predictions";

    private MetricNames() {
    }
}
