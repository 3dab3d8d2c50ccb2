package io.impersonationprobe.api;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

/** Small request helpers shared by the API resources. */
final class ApiRequests {
    static final String READ = "read";
    static final String CHECK = "check";

    private ApiRequests() {
    }

    /** True when the caller prefers a plain-text answer to JSON, by the order and weights of its Accept header. */
    static boolean wantsText(HttpHeaders headers) {
        for (MediaType type : headers.getAcceptableMediaTypes()) {
            if (type.isWildcardType()) {
                return false;
            }
            if (type.isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
                return false;
            }
            if (type.isCompatible(MediaType.TEXT_PLAIN_TYPE)) {
                return true;
            }
        }
        return false;
    }

    static String caller(SecurityIdentity identity) {
        return identity.getPrincipal().getName();
    }
}
