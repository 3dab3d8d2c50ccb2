package io.impersonationprobe.ews;

import java.util.Map;
import java.util.Locale;

/**
 * The raw HTTP answer to one EWS request, kept so that the probe classifies what the server actually said rather
 * than what ews-java-api made of it (the library loses fault codes it does not know).
 *
 * @param headers     response headers by lower-case name
 * @param body        the body, at most {@link EwsHttpClient#MAX_RESPONSE_BYTES}
 * @param refusal     why the answer was not read on (a redirect, a body over the cap, a Content-Encoding not asked
 *                    for), or null when it was read whole
 */
public record CapturedResponse(int status, Map<String, String> headers, byte[] body, String refusal) {

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }
}
