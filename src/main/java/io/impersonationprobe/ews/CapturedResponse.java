package io.impersonationprobe.ews;

import java.util.Map;

/**
 * The raw HTTP answer to one EWS request, kept so that the probe classifies what the server actually said rather
 * than what ews-java-api made of it (the library loses fault codes it does not know).
 *
 * @param headers     response headers by lower-case name
 * @param body        the body, at most {@link EwsHttpClient#MAX_RESPONSE_BYTES}
 * @param oversized   true when the server sent more than that and the request was abandoned
 */
public record CapturedResponse(int status, Map<String, String> headers, byte[] body, boolean oversized) {

    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }
}
