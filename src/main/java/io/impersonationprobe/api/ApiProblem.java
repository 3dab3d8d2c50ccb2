package io.impersonationprobe.api;

import java.time.Duration;

/**
 * A request the API refuses, answered as an RFC 9457 problem. The detail is written for the caller and never
 * repeats a secret or unvalidated input verbatim.
 *
 * @param retryAfter for 429 and 503: when to try again, or null
 */
public class ApiProblem extends RuntimeException {
    private final int status;
    private final String type;
    private final String title;
    private final Duration retryAfter;

    public ApiProblem(int status, String type, String title, String detail, Duration retryAfter) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.retryAfter = retryAfter;
    }

    public static ApiProblem badRequest(String type, String detail) {
        return new ApiProblem(400, type, "Invalid request", detail, null);
    }

    public static ApiProblem notFound(String type, String detail) {
        return new ApiProblem(404, type, "Not found", detail, null);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
