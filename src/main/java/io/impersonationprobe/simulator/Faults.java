package io.impersonationprobe.simulator;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The faults a scenario switches on, as an immutable value built by name: {@code Faults.none().withEwsLatency(300)
 * .withResponseCode("alex.wilber@contoso.com", "ErrorMailboxMoveInProgress")}. Every builder checks its value, so a
 * {@code Faults} is always one the endpoints can serve. Mailbox keys are lower-case SMTP addresses, or {@code *} for
 * every mailbox.
 */
public final class Faults {
    /** Exchange Online's EWSMaxConcurrency: requests in flight per principal before ErrorServerBusy. */
    static final int DEFAULT_CONCURRENCY_BUDGET = 27;
    private static final long MAX_LATENCY_MS = 600_000;
    private static final int MAX_RETRY_AFTER_SECONDS = 86_400;
    private static final Faults NONE = new Faults();

    private long ewsLatencyMs;
    private Integer serviceUnavailableRetryAfterSeconds;
    private Map<String, String> responseCodes = Map.of();
    private RawAnswer rawAnswer;
    private int concurrencyBudget = DEFAULT_CONCURRENCY_BUDGET;
    private long serverBusyBackOffMs = 5000;
    private long missingAnchorLatencyMs = 250;
    private RawAnswer adminRawAnswer;
    private long adminLatencyMs;
    private long graphLatencyMs;
    private Integer graphThrottledRetryAfterSeconds;
    private Integer graphUnavailableRetryAfterSeconds;
    private Map<String, String> graphErrors = Map.of();

    /** An answer that is not the service's own: a wrong URL, a broken server, a login page. */
    public record RawAnswer(int status, String contentType, String body) {
    }

    private Faults() {
    }

    private Faults copy() {
        Faults f = new Faults();
        f.ewsLatencyMs = ewsLatencyMs;
        f.serviceUnavailableRetryAfterSeconds = serviceUnavailableRetryAfterSeconds;
        f.responseCodes = responseCodes;
        f.rawAnswer = rawAnswer;
        f.concurrencyBudget = concurrencyBudget;
        f.serverBusyBackOffMs = serverBusyBackOffMs;
        f.missingAnchorLatencyMs = missingAnchorLatencyMs;
        f.adminRawAnswer = adminRawAnswer;
        f.adminLatencyMs = adminLatencyMs;
        f.graphLatencyMs = graphLatencyMs;
        f.graphThrottledRetryAfterSeconds = graphThrottledRetryAfterSeconds;
        f.graphUnavailableRetryAfterSeconds = graphUnavailableRetryAfterSeconds;
        f.graphErrors = graphErrors;
        return f;
    }

    /** No fault: every answer follows from the tenant's state, at Exchange Online's concurrency budget. */
    public static Faults none() {
        return NONE;
    }

    /** Every EWS answer waits this long before it is sent. */
    public Faults withEwsLatency(long millis) {
        if (millis < 0 || millis > MAX_LATENCY_MS) {
            throw new IllegalArgumentException("ewsLatencyMs must be between 0 and " + MAX_LATENCY_MS);
        }
        Faults f = copy();
        f.ewsLatencyMs = millis;
        return f;
    }

    /** Every EWS request gets 503 with this {@code Retry-After}; null switches it off. */
    public Faults withServiceUnavailable(Integer retryAfterSeconds) {
        Faults f = copy();
        f.serviceUnavailableRetryAfterSeconds = retryAfterSeconds;
        return f;
    }

    /** EWS answers this error code as a SOAP fault for the mailbox (or {@code *}), in addition to those set. */
    public Faults withResponseCode(String mailbox, String code) {
        Map<String, String> codes = new LinkedHashMap<>(responseCodes);
        codes.put(mailbox.toLowerCase(Locale.ROOT), code);
        return withResponseCodes(codes);
    }

    /** Replaces every injected EWS error code: mailbox (or {@code *}) to code. */
    public Faults withResponseCodes(Map<String, String> codes) {
        for (String code : codes.values()) {
            if (!code.matches("Error[A-Za-z0-9]{1,80}")) {
                throw new IllegalArgumentException("'" + code + "' is not an EWS error code (ErrorSomething)");
            }
        }
        Faults f = copy();
        f.responseCodes = lowerCaseKeys(codes);
        return f;
    }

    /** Every EWS request gets this answer instead of an EWS one; null switches it off. */
    public Faults withRawAnswer(RawAnswer answer) {
        Faults f = copy();
        f.rawAnswer = answer;
        return f;
    }

    /** Requests in flight per principal before EWS answers ErrorServerBusy. */
    public Faults withConcurrencyBudget(int requests) {
        if (requests < 1) {
            throw new IllegalArgumentException("concurrencyBudget must be at least 1");
        }
        Faults f = copy();
        f.concurrencyBudget = requests;
        return f;
    }

    /** The {@code BackOffMilliseconds} an ErrorServerBusy carries. */
    public Faults withServerBusyBackOff(long millis) {
        Faults f = copy();
        f.serverBusyBackOffMs = millis;
        return f;
    }

    /** How much slower an EWS request without {@code X-AnchorMailbox} is answered. */
    public Faults withMissingAnchorLatency(long millis) {
        Faults f = copy();
        f.missingAnchorLatencyMs = millis;
        return f;
    }

    /** Every admin API request gets this answer; null switches it off. */
    public Faults withAdminRawAnswer(RawAnswer answer) {
        Faults f = copy();
        f.adminRawAnswer = answer;
        return f;
    }

    /** Every admin API answer waits this long before it is sent. */
    public Faults withAdminLatency(long millis) {
        Faults f = copy();
        f.adminLatencyMs = millis;
        return f;
    }

    /** Every Graph answer waits this long before it is sent. */
    public Faults withGraphLatency(long millis) {
        if (millis < 0 || millis > MAX_LATENCY_MS) {
            throw new IllegalArgumentException("graphLatencyMs must be between 0 and " + MAX_LATENCY_MS);
        }
        Faults f = copy();
        f.graphLatencyMs = millis;
        return f;
    }

    /** Every Graph request gets 429 ApplicationThrottled with this {@code Retry-After}; null switches it off. */
    public Faults withGraphThrottled(Integer retryAfterSeconds) {
        Faults f = copy();
        f.graphThrottledRetryAfterSeconds = retryAfter(retryAfterSeconds);
        return f;
    }

    /** Every Graph request gets 503 with this {@code Retry-After}; null switches it off. */
    public Faults withGraphUnavailable(Integer retryAfterSeconds) {
        Faults f = copy();
        f.graphUnavailableRetryAfterSeconds = retryAfter(retryAfterSeconds);
        return f;
    }

    /** Graph answers this error for the mailbox (or {@code *}), in addition to those set. */
    public Faults withGraphError(String mailbox, String code) {
        Map<String, String> errors = new LinkedHashMap<>(graphErrors);
        errors.put(mailbox.toLowerCase(Locale.ROOT), code);
        return withGraphErrors(errors);
    }

    /** Replaces every injected Graph error: mailbox (or {@code *}) to one of {@link GraphEndpoint#ERRORS}. */
    public Faults withGraphErrors(Map<String, String> errors) {
        for (String code : errors.values()) {
            if (!GraphEndpoint.ERRORS.containsKey(code)) {
                throw new IllegalArgumentException("'" + code + "' is not a Graph error the simulator knows; known: "
                        + new TreeSet<>(GraphEndpoint.ERRORS.keySet()));
            }
        }
        Faults f = copy();
        f.graphErrors = lowerCaseKeys(errors);
        return f;
    }

    private static Integer retryAfter(Integer seconds) {
        if (seconds != null && (seconds < 0 || seconds > MAX_RETRY_AFTER_SECONDS)) {
            throw new IllegalArgumentException("a Graph Retry-After must be between 0 and " + MAX_RETRY_AFTER_SECONDS
                    + " seconds");
        }
        return seconds;
    }

    private static Map<String, String> lowerCaseKeys(Map<String, String> byMailbox) {
        Map<String, String> copy = new LinkedHashMap<>();
        byMailbox.forEach((mailbox, value) -> copy.put(mailbox.toLowerCase(Locale.ROOT), value));
        return Map.copyOf(copy);
    }

    public long ewsLatencyMs() {
        return ewsLatencyMs;
    }

    public Integer serviceUnavailableRetryAfterSeconds() {
        return serviceUnavailableRetryAfterSeconds;
    }

    public Map<String, String> responseCodes() {
        return responseCodes;
    }

    /** The EWS error code injected for this mailbox (or for every mailbox), or null. */
    String responseCodeFor(String smtp) {
        return responseCodes.getOrDefault(smtp.toLowerCase(Locale.ROOT), responseCodes.get("*"));
    }

    public RawAnswer rawAnswer() {
        return rawAnswer;
    }

    public int concurrencyBudget() {
        return concurrencyBudget;
    }

    public long serverBusyBackOffMs() {
        return serverBusyBackOffMs;
    }

    public long missingAnchorLatencyMs() {
        return missingAnchorLatencyMs;
    }

    public RawAnswer adminRawAnswer() {
        return adminRawAnswer;
    }

    public long adminLatencyMs() {
        return adminLatencyMs;
    }

    public long graphLatencyMs() {
        return graphLatencyMs;
    }

    public Integer graphThrottledRetryAfterSeconds() {
        return graphThrottledRetryAfterSeconds;
    }

    public Integer graphUnavailableRetryAfterSeconds() {
        return graphUnavailableRetryAfterSeconds;
    }

    public Map<String, String> graphErrors() {
        return graphErrors;
    }

    /** The Graph error injected for this mailbox (or for every mailbox), or null. */
    String graphErrorFor(String smtp) {
        return graphErrors.getOrDefault(smtp.toLowerCase(Locale.ROOT), graphErrors.get("*"));
    }

    @Override
    public String toString() {
        return "Faults" + TenantSnapshot.faults(this);
    }
}
