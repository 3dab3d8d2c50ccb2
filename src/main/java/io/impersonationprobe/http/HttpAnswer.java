package io.impersonationprobe.http;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * One complete HTTP answer, read within {@link BoundedHttp}'s limits.
 *
 * @param headers response headers by lower-case name (repeated ones joined with ", ")
 * @param body    the body, never more than the client's cap
 */
public record HttpAnswer(int status, Map<String, String> headers, byte[] body) {

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
