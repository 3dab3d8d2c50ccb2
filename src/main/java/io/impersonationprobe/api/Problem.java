package io.impersonationprobe.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem detail, sent as {@code application/problem+json}.
 *
 * @param type     a URI naming the kind of problem ({@code urn:impersonation-probe:problem:...}), or about:blank
 * @param instance the request path
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance) {
    public static final String MEDIA_TYPE = "application/problem+json";

    static String type(String name) {
        return name == null ? "about:blank" : "urn:impersonation-probe:problem:" + name;
    }
}
