package io.impersonationprobe.ews;

import io.impersonationprobe.Causes;
import io.impersonationprobe.Printable;
import io.impersonationprobe.probe.BackoffGate;
import io.impersonationprobe.probe.Classification;
import io.impersonationprobe.probe.Outcome;
import org.apache.http.MessageConstraintException;
import org.apache.http.ProtocolException;

import javax.net.ssl.SSLException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.http.conn.ConnectTimeoutException;
import java.net.SocketException;
import org.apache.http.NoHttpResponseException;
import org.apache.http.conn.HttpHostConnectException;

/**
 * Names the outcome of one EWS exchange from what the server actually sent (status, headers, SOAP body) and, when
 * nothing came back, from the transport failure. The library's exception is consulted last: it loses fault codes
 * it does not know.
 */
final class EwsClassifier {

    /** Exchange Online's header on an EWS request refused by its EWS gates. */
    static final String POLICY_REASON = "X-EWS-Policy-Reason";

    /** EWS response codes and the outcome each means. Codes not listed are {@link Outcome#UNKNOWN_ERROR}. */
    private static final Map<String, Outcome> BY_RESPONSE_CODE = Map.ofEntries(
            Map.entry("NoError", Outcome.OK),
            Map.entry("ErrorImpersonateUserDenied", Outcome.IMPERSONATION_DENIED),
            Map.entry("ErrorImpersonationDenied", Outcome.IMPERSONATION_DENIED),
            Map.entry("ErrorAccessDenied", Outcome.ACCESS_DENIED),
            Map.entry("ErrorNonExistentMailbox", Outcome.MAILBOX_NOT_FOUND),
            Map.entry("ErrorInvalidExchangeImpersonationHeaderData", Outcome.IMPERSONATION_HEADER_INVALID),
            Map.entry("ErrorInvalidLicense", Outcome.LICENSE_INVALID),
            Map.entry("ErrorOrganizationAccessBlocked", Outcome.ORGANIZATION_BLOCKED),
            Map.entry("ErrorServerBusy", Outcome.THROTTLED),
            Map.entry("ErrorExceededConnectionCount", Outcome.THROTTLED),
            Map.entry("ErrorMailboxMoveInProgress", Outcome.MAILBOX_MOVING),
            Map.entry("ErrorMailboxStoreUnavailable", Outcome.MAILBOX_STORE_UNAVAILABLE),
            Map.entry("ErrorImpersonationFailed", Outcome.UNAVAILABLE),
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
        if (response.refusal() != null) {
            return new Classification(Outcome.INVALID_RESPONSE, null, status, response.refusal());
        }
        String policyReason = response.header(POLICY_REASON);
        if (status == 403 && policyReason != null) {
            // Microsoft: the header, not the body, tells a policy block.
            String reason = Printable.of(policyReason, 200);
            Outcome outcome = reason.toLowerCase(Locale.ROOT).contains("disabled") ? Outcome.EWS_DISABLED : Outcome.EWS_BLOCKED;
            return new Classification(outcome, null, status, "HTTP 403, " + POLICY_REASON + ": " + reason);
        }
        Optional<SoapAnswer> soap = SoapAnswer.parse(response.body());
        if (soap.isPresent() && !soap.get().wellFormed()) {
            String code = soap.get().responseCode();
            return new Classification(Outcome.INVALID_RESPONSE, null, status, "HTTP " + status + ", not well-formed XML"
                    + (code == null ? "" : " (a " + Printable.of(code, 80) + " in it is not taken as an answer)"));
        }
        if (soap.isPresent() && !soap.get().isFault()) {
            String problem = notOneGetFolderAnswer(soap.get());
            if (problem != null) {
                return new Classification(Outcome.INVALID_RESPONSE, null, status, "HTTP " + status + ", " + problem);
            }
        }
        String code = soap.map(SoapAnswer::responseCode).orElse(null);
        if (code != null) {
            Outcome outcome = BY_RESPONSE_CODE.getOrDefault(code, Outcome.UNKNOWN_ERROR);
            if (outcome == Outcome.OK && (failure != null || status != 200)) {
                // NoError alongside a failure is contradictory; never report it as access.
                outcome = Outcome.INVALID_RESPONSE;
            }
            StringBuilder detail = new StringBuilder("HTTP ").append(status).append(", ").append(code);
            soap.map(SoapAnswer::message).filter(m -> !m.isEmpty()).ifPresent(m -> detail.append(": ").append(m));
            Long backOffMillis = soap.map(SoapAnswer::backOffMillis).orElse(null);
            if (backOffMillis != null) {
                Duration requested = Duration.ofMillis(Math.max(0, backOffMillis));
                detail.append(" (back off ").append(backOffMillis).append(" ms requested");
                if (!BackoffGate.capped(requested).equals(requested)) {
                    detail.append(", ").append(BackoffGate.capped(requested).toMillis()).append(" ms applied");
                }
                detail.append(")");
            }
            return new Classification(outcome, code, status, detail.toString(),
                    backOffMillis == null ? null : Duration.ofMillis(Math.max(0, backOffMillis)), null);
        }
        String faultCode = soap.map(SoapAnswer::faultCode).orElse(null);
        if (faultCode != null) {
            // A SOAP fault without an EWS code (soap:Client, soap:Server): keep what it says.
            String message = soap.map(SoapAnswer::message).orElse("");
            Outcome outcome = message.contains("AccessDeniedException") ? Outcome.ACCESS_DENIED : Outcome.UNKNOWN_ERROR;
            return new Classification(outcome, faultCode, status, "HTTP " + status + ", SOAP fault " + faultCode
                    + (message.isEmpty() ? "" : ": " + message));
        }
        String diagnostics = response.header("x-ms-diagnostics");
        String diagnosticsCode = diagnosticsCode(diagnostics);
        String detail = "HTTP " + status + (diagnostics == null ? "" : ", x-ms-diagnostics: " + diagnostics);
        String retryAfter = response.header("retry-after");
        Duration backOff = retryAfter(retryAfter, Instant.now());
        Outcome outcome = switch (status) {
            case 401 -> Outcome.AUTH_FAILED;
            // Without X-EWS-Policy-Reason a 403 proves no policy block.
            case 403 -> "2000008".equals(diagnosticsCode) ? Outcome.PERMISSION_MISSING
                    : diagnosticsCode != null ? Outcome.AUTH_FAILED : Outcome.FORBIDDEN;
            case 404 -> Outcome.ENDPOINT_NOT_FOUND;
            case 429 -> Outcome.THROTTLED;
            case 503 -> backOff != null ? Outcome.THROTTLED : Outcome.UNAVAILABLE;
            default -> status >= 500 ? Outcome.UNAVAILABLE : Outcome.INVALID_RESPONSE;
        };
        if (retryAfter != null) {
            detail += ", Retry-After: " + retryAfter;
        }
        if (outcome == Outcome.INVALID_RESPONSE) {
            String type = response.header("content-type");
            detail += ", not an EWS SOAP answer (Content-Type: " + (type == null ? "none" : type) + ")";
        }
        return new Classification(outcome, null, status, detail, outcome == Outcome.THROTTLED ? backOff : null,
                diagnosticsCode == null ? null : DIAGNOSTICS_ADVICE.get(diagnosticsCode));
    }

    /**
     * Why a non-fault answer is not the one answer the probe asked for, or null when it is: a GetFolderResponse with a
     * single GetFolderResponseMessage, holding the one folder (with its FolderId) when it says NoError.
     */
    private static String notOneGetFolderAnswer(SoapAnswer soap) {
        String arrived = (soap.bodyElement() == null ? "an empty SOAP body" : soap.bodyElement())
                + (soap.responseMessages().isEmpty() ? "" : " with " + soap.responseMessages().size()
                + " response message(s) (" + String.join(", ", soap.responseMessages().stream().distinct().toList()) + ")");
        if (!"GetFolderResponse".equals(soap.bodyElement()) || soap.responseMessages().size() != 1
                || !"GetFolderResponseMessage".equals(soap.responseMessages().get(0))) {
            return "not the answer to one GetFolder: " + arrived;
        }
        if ("NoError".equals(soap.responseCode()) && (soap.folders() != 1 || soap.folderIds() != 1)) {
            return "a GetFolder answer with " + soap.folders() + " folder(s) and " + soap.folderIds()
                    + " FolderId(s) instead of the one folder asked for";
        }
        return null;
    }

    private static Classification fromTransportFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SocketTimeoutException || t instanceof ConnectTimeoutException) {
                return new Classification(Outcome.TIMEOUT, null, 0, Causes.describe(t));
            }
            if (t instanceof UnknownHostException) {
                return new Classification(Outcome.DNS_FAILURE, null, 0, "DNS lookup failed: " + t.getMessage());
            }
            if (t instanceof SSLException) {
                return new Classification(Outcome.TLS_FAILURE, null, 0, Causes.describe(t));
            }
            // A status line or header over the transport's limits, or no HTTP at all: abandoned, not a server outage.
            if (t instanceof MessageConstraintException
                    || t instanceof ProtocolException) {
                return new Classification(Outcome.INVALID_RESPONSE, null, 0, "not an HTTP answer within the limits: "
                        + Causes.describe(t));
            }
            // Refused, reset or dropped connections (ConnectException and NoRouteToHostException are SocketExceptions).
            if (t instanceof SocketException
                    || t instanceof NoHttpResponseException
                    || t instanceof HttpHostConnectException) {
                return new Classification(Outcome.UNAVAILABLE, null, 0, Causes.describe(t));
            }
        }
        return new Classification(Outcome.UNKNOWN_ERROR, null, 0, Causes.describe(Causes.root(failure)));
    }

    private static int status(CapturedResponse captured) {
        return captured == null ? 0 : captured.status();
    }


    /** What each x-ms-diagnostics code on a 401 or 403 means for Exchange Online. */
    private static final Map<String, String> DIAGNOSTICS_ADVICE = Map.of(
            "2000001", "The token could not be validated (malformed, expired, or signed with an unknown key). The daemon "
                    + "fetches a new token after a 401; if this persists, check the daemon host's clock and for a proxy "
                    + "that rewrites the Authorization header.",
            "2000003", "The token's audience is wrong: set auth.scope to https://outlook.office365.com/.default "
                    + "(on-premises hybrid: https://<EWS host>/.default).",
            "2000004", "The token was issued by another tenant: auth.directory must be the tenant that holds the mailboxes.",
            "2000005", "Exchange does not know the token's application or user: for RBAC for Applications run "
                    + "New-ServicePrincipal -AppId <appId> -ObjectId <enterprise app object ID> first.");

    private static String diagnosticsCode(String diagnostics) {
        if (diagnostics == null) {
            return null;
        }
        int end = 0;
        while (end < diagnostics.length() && Character.isDigit(diagnostics.charAt(end))) {
            end++;
        }
        return end == 0 ? null : diagnostics.substring(0, end);
    }

    /** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String value, Instant now) {
        if (value == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value.strip())));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }
}
