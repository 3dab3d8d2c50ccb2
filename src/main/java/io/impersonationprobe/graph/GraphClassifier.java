package io.impersonationprobe.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.Causes;
import io.impersonationprobe.http.BoundedHttp;
import io.impersonationprobe.probe.Classification;
import io.impersonationprobe.probe.Outcome;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Names the outcome of one Graph request from what Graph sent (status, error code, headers) or, when nothing came
 * back, from the transport failure. Graph errors are JSON: {@code {"error":{"code":…,"message":…,"innerError":{…}}}}.
 */
final class GraphClassifier {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Graph error codes and the outcome each means, whatever the status; codes not listed go by status. */
    private static final Map<String, Outcome> BY_CODE = Map.ofEntries(
            Map.entry("erroraccessdenied", Outcome.ACCESS_DENIED),
            Map.entry("accessdenied", Outcome.ACCESS_DENIED),
            Map.entry("authorization_requestdenied", Outcome.PERMISSION_MISSING),
            Map.entry("invalidauthenticationtoken", Outcome.AUTH_FAILED),
            Map.entry("erroritemnotfound", Outcome.MAILBOX_NOT_FOUND),
            Map.entry("errorinvaliduser", Outcome.MAILBOX_NOT_FOUND),
            Map.entry("resourcenotfound", Outcome.MAILBOX_NOT_FOUND),
            Map.entry("request_resourcenotfound", Outcome.MAILBOX_NOT_FOUND),
            Map.entry("mailboxnotenabledforrestapi", Outcome.MAILBOX_NOT_ENABLED_FOR_REST),
            Map.entry("errormailboxstoreunavailable", Outcome.MAILBOX_STORE_UNAVAILABLE),
            Map.entry("errormailboxmoveinprogress", Outcome.MAILBOX_MOVING),
            Map.entry("applicationthrottled", Outcome.THROTTLED),
            Map.entry("activitylimitreached", Outcome.THROTTLED),
            Map.entry("toomanyrequests", Outcome.THROTTLED));

    private GraphClassifier() {
    }

    static Classification classify(GraphAnswer answer) {
        int status = answer.status();
        boolean json = answer.contentType() != null
                && answer.contentType().toLowerCase(Locale.ROOT).startsWith("application/json");
        JsonNode body = json ? parse(answer.body()) : null;
        if (status == 200) {
            if (body != null && body.path("id").isTextual() && !body.path("id").asText().isEmpty()) {
                return new Classification(Outcome.OK, null, 200, "HTTP 200, folder id read", null, null);
            }
            return new Classification(Outcome.INVALID_RESPONSE, null, 200, "HTTP 200 but " + (body == null
                    ? "not JSON (Content-Type " + answer.contentType() + ")" : "no folder id in the answer"), null, null);
        }
        JsonNode error = body == null ? null : body.path("error");
        String code = error != null && error.path("code").isTextual() ? error.path("code").asText() : null;
        String message = error != null ? error.path("message").asText("") : "";
        String detail = "HTTP " + status + (code == null ? "" : ", " + code) + (message.isEmpty() ? "" : ": " + message);
        Duration retryAfter = retryAfter(answer.retryAfter(), answer.date());
        Outcome byCode = code == null ? null : BY_CODE.get(code.toLowerCase(Locale.ROOT));
        if (status == 429 || (status == 503 && retryAfter != null)) {
            return new Classification(Outcome.THROTTLED, code, status, detail
                    + (answer.retryAfter() == null ? "" : " (Retry-After " + answer.retryAfter() + ")"), retryAfter, null);
        }
        if (byCode != null) {
            return new Classification(byCode, code, status, detail, byCode == Outcome.THROTTLED ? retryAfter : null, null);
        }
        if (code == null) {
            // Not a Graph error: a proxy, a login page, a wrong URL.
            Outcome outcome = status == 404 ? Outcome.ENDPOINT_NOT_FOUND
                    : status >= 500 ? Outcome.UNAVAILABLE
                    : status == 401 ? Outcome.AUTH_FAILED
                    : Outcome.INVALID_RESPONSE;
            return new Classification(outcome, null, status, detail + (json ? "" : " (not a Graph answer, Content-Type "
                    + answer.contentType() + ")"), null, null);
        }
        Outcome outcome = switch (status) {
            case 401 -> Outcome.AUTH_FAILED;
            case 403 -> Outcome.ACCESS_DENIED;
            case 404 -> Outcome.MAILBOX_NOT_FOUND;
            default -> status >= 500 ? Outcome.UNAVAILABLE : Outcome.UNKNOWN_ERROR;
        };
        return new Classification(outcome, code, status, detail, null, null);
    }

    /** Nothing came back: name the transport failure. */
    static Classification fromFailure(Throwable failure) {
        if (Causes.find(failure, UnknownHostException.class) != null) {
            return new Classification(Outcome.DNS_FAILURE, null, 0, Causes.describe(Causes.root(failure)), null, null);
        }
        if (Causes.find(failure, SSLException.class) != null) {
            return new Classification(Outcome.TLS_FAILURE, null, 0, Causes.describe(Causes.root(failure)), null, null);
        }
        if (Causes.find(failure, SocketTimeoutException.class) != null
                || Causes.find(failure, TimeoutException.class) != null) {
            return new Classification(Outcome.TIMEOUT, null, 0, "no complete answer before the deadline", null, null);
        }
        if (BoundedHttp.brokeProtocol(failure)) {
            return new Classification(Outcome.INVALID_RESPONSE, null, 0, "not an HTTP answer within the limits: "
                    + Causes.describe(Causes.root(failure)), null, null);
        }
        if (Causes.find(failure, ConnectException.class) != null || Causes.find(failure, IOException.class) != null) {
            return new Classification(Outcome.UNAVAILABLE, null, 0, Causes.describe(Causes.root(failure)), null, null);
        }
        return new Classification(Outcome.UNKNOWN_ERROR, null, 0, Causes.describe(Causes.root(failure)), null, null);
    }

    private static JsonNode parse(String text) {
        try {
            JsonNode node = text == null || text.isEmpty() ? null : JSON.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Retry-After in seconds or as an HTTP date (relative to the server's Date when it sent one). */
    static Duration retryAfter(String header, String date) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.strip();
        if (value.matches("\\d{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(value));
        }
        try {
            Instant until = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Instant now = Instant.now();
            if (date != null) {
                try {
                    now = ZonedDateTime.parse(date.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                } catch (DateTimeParseException ignored) {
                    // the local clock, then
                }
            }
            Duration wait = Duration.between(now, until);
            return wait.isNegative() ? Duration.ZERO : wait;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
