package io.impersonationprobe.ews;

import io.impersonationprobe.probe.Outcome;

import javax.net.ssl.SSLException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;

/**
 * Names the outcome of one EWS exchange from what the server actually sent (status, headers, SOAP body) and, when
 * nothing came back, from the transport failure. The library's exception is consulted last: it loses fault codes
 * it does not know.
 */
final class EwsClassifier {

    /** EWS response codes and the outcome each means. Codes not listed are {@link Outcome#UNKNOWN_ERROR}. */
    private static final Map<String, Outcome> BY_RESPONSE_CODE = Map.ofEntries(
            Map.entry("NoError", Outcome.OK),
            Map.entry("ErrorImpersonateUserDenied", Outcome.IMPERSONATION_DENIED),
            Map.entry("ErrorImpersonationDenied", Outcome.IMPERSONATION_DENIED),
            Map.entry("ErrorAccessDenied", Outcome.ACCESS_DENIED),
            Map.entry("ErrorNonExistentMailbox", Outcome.MAILBOX_NOT_FOUND),
            Map.entry("ErrorServerBusy", Outcome.THROTTLED),
            Map.entry("ErrorExceededConnectionCount", Outcome.THROTTLED),
            Map.entry("ErrorImpersonationFailed", Outcome.UNAVAILABLE),
            Map.entry("ErrorMailboxMoveInProgress", Outcome.UNAVAILABLE),
            Map.entry("ErrorMailboxStoreUnavailable", Outcome.UNAVAILABLE),
            Map.entry("ErrorConnectionFailed", Outcome.UNAVAILABLE),
            Map.entry("ErrorInternalServerError", Outcome.UNAVAILABLE),
            Map.entry("ErrorNoRespondingCASInDestinationSite", Outcome.UNAVAILABLE));

    /**
     * @param captured         the raw answer, or null when none arrived
     * @param failure          what ews-java-api threw, or null when it returned normally
     * @param deadlinePassed   true when the watchdog aborted the request
     */
    static Classification classify(CapturedResponse captured, Throwable failure, boolean deadlinePassed) {
        if (deadlinePassed) {
            return new Classification(Outcome.TIMEOUT, null, status(captured), "no complete answer before the deadline");
        }
        if (captured != null) {
            return fromResponse(captured, failure);
        }
        if (failure == null) {
            // The library returned without any HTTP exchange: that is not a proof of access.
            return new Classification(Outcome.UNKNOWN_ERROR, null, 0, "no HTTP response was recorded");
        }
        return fromTransportFailure(failure);
    }

    private static Classification fromResponse(CapturedResponse response, Throwable failure) {
        int status = response.status();
        if (response.oversized()) {
            return new Classification(Outcome.INVALID_RESPONSE, null, status,
                    "HTTP " + status + ", body larger than " + EwsHttpClient.MAX_RESPONSE_BYTES + " bytes");
        }
        Optional<SoapAnswer> soap = SoapAnswer.parse(response.body());
        String code = soap.map(SoapAnswer::responseCode).orElse(null);
        if (code != null) {
            Outcome outcome = BY_RESPONSE_CODE.getOrDefault(code, Outcome.UNKNOWN_ERROR);
            if (outcome == Outcome.OK && (failure != null || status != 200)) {
                // NoError alongside a failure is contradictory; never report it as access.
                outcome = Outcome.INVALID_RESPONSE;
            }
            StringBuilder detail = new StringBuilder("HTTP ").append(status).append(", ").append(code);
            soap.map(SoapAnswer::message).filter(m -> !m.isEmpty()).ifPresent(m -> detail.append(": ").append(m));
            soap.map(SoapAnswer::backOffMillis).ifPresent(ms -> detail.append(" (back off ").append(ms).append(" ms)"));
            return new Classification(outcome, code, status, detail.toString());
        }
        String diagnostics = response.header("x-ms-diagnostics");
        String detail = "HTTP " + status + (diagnostics == null ? "" : ", x-ms-diagnostics: " + diagnostics);
        Outcome outcome = switch (status) {
            case 401, 403 -> Outcome.AUTH_FAILED;
            case 404 -> Outcome.ENDPOINT_NOT_FOUND;
            case 429 -> Outcome.THROTTLED;
            case 503 -> response.header("retry-after") != null ? Outcome.THROTTLED : Outcome.UNAVAILABLE;
            default -> status >= 500 ? Outcome.UNAVAILABLE : Outcome.INVALID_RESPONSE;
        };
        String retryAfter = response.header("retry-after");
        if (retryAfter != null) {
            detail += ", Retry-After: " + retryAfter;
        }
        if (outcome == Outcome.INVALID_RESPONSE) {
            String type = response.header("content-type");
            detail += ", not an EWS SOAP answer (Content-Type: " + (type == null ? "none" : type) + ")";
        }
        return new Classification(outcome, null, status, detail);
    }

    private static Classification fromTransportFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SocketTimeoutException || t instanceof org.apache.http.conn.ConnectTimeoutException) {
                return new Classification(Outcome.TIMEOUT, null, 0, describe(t));
            }
            if (t instanceof UnknownHostException) {
                return new Classification(Outcome.UNAVAILABLE, null, 0, "DNS lookup failed: " + t.getMessage());
            }
            if (t instanceof SSLException) {
                return new Classification(Outcome.TLS_FAILED, null, 0, describe(t));
            }
            // Refused, reset or dropped connections (ConnectException and NoRouteToHostException are SocketExceptions).
            if (t instanceof java.net.SocketException
                    || t instanceof org.apache.http.NoHttpResponseException
                    || t instanceof org.apache.http.conn.HttpHostConnectException) {
                return new Classification(Outcome.UNAVAILABLE, null, 0, describe(t));
            }
        }
        return new Classification(Outcome.UNKNOWN_ERROR, null, 0, describe(rootCause(failure)));
    }

    private static int status(CapturedResponse captured) {
        return captured == null ? 0 : captured.status();
    }

    private static Throwable rootCause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    record Classification(Outcome outcome, String ewsResponseCode, int httpStatus, String detail) {
    }
}
