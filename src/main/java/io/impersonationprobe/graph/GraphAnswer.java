package io.impersonationprobe.graph;

/**
 * What Microsoft Graph sent back, as far as the probe needs it; the body is kept only up to a bound and never holds
 * mail (the request selects the folder's id only).
 *
 * @param requestId        Graph's {@code request-id} header, what Microsoft support asks for
 * @param clientRequestId  the {@code client-request-id} Graph echoed
 * @param date             the {@code Date} header
 * @param retryAfter       the {@code Retry-After} header, or null
 */
record GraphAnswer(int status, String contentType, String body, String requestId, String clientRequestId,
                   String date, String retryAfter) {
}
