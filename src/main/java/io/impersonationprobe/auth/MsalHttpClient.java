package io.impersonationprobe.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.aad.msal4j.HttpRequest;
import com.microsoft.aad.msal4j.HttpResponse;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.IHttpResponse;
import io.impersonationprobe.http.BoundedHttp;
import io.impersonationprobe.http.HttpAnswer;
import io.impersonationprobe.http.HttpRefusedException;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.client.methods.HttpRequestBase;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * msal4j's transport: a {@link BoundedHttp} client (strict TLS, no redirects, bounded reads, the token timeout as a
 * total deadline; msal4j's own timeouts are infinite). It hands msal4j only answers fit to be cached and sent: a
 * success must be a JSON object with an access token of at most {@link #MAX_TOKEN_CHARS} and a positive
 * {@code expires_in}; an error must be an OAuth error object. Anything else is refused here with what the endpoint
 * did ("HTTP 200 with invalid JSON (34 bytes)"). When an override URL is configured, requests go to that scheme, host
 * and port instead of the authority's, which lets the authority stay port-less and msal4j's cache work.
 */
final class MsalHttpClient implements IHttpClient {
    /** Entra ID's access tokens are a few KiB; a larger one would travel on every probe request. */
    static final int MAX_TOKEN_CHARS = 64 * 1024;
    /** The whole token answer: the token and a few short fields. */
    static final int MAX_ANSWER_BYTES = 2 * MAX_TOKEN_CHARS;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> RESTRICTED = Set.of("host", "connection", "content-length", "expect", "upgrade");

    private final BoundedHttp http;
    private final Duration timeout;
    private final Optional<URI> override;

    MsalHttpClient(Duration timeout, Optional<URI> override, SSLContext ssl) {
        this.http = new BoundedHttp(4, ssl, MAX_ANSWER_BYTES);
        this.timeout = timeout;
        this.override = override;
    }

    /** The token endpoint answered, but not with anything msal4j may cache or the daemon may send. */
    static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    @Override
    public IHttpResponse send(HttpRequest request) throws Exception {
        URI target = route(request.url().toURI());
        HttpRequestBase outgoing = switch (request.httpMethod()) {
            case GET -> new HttpGet(target);
            case POST -> {
                HttpPost post = new HttpPost(target);
                if (request.body() != null) {
                    post.setEntity(new StringEntity(request.body(), ContentType.APPLICATION_FORM_URLENCODED));
                }
                yield post;
            }
            default -> throw new IllegalArgumentException("unsupported method " + request.httpMethod());
        };
        request.headers().forEach((name, value) -> {
            if (!RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                outgoing.setHeader(name, value);
            }
        });
        HttpAnswer answer;
        try {
            answer = http.execute(outgoing, timeout);
        } catch (HttpRefusedException refused) {
            throw new Refused(refused.getMessage());
        }
        check(answer);
        HttpResponse response = new HttpResponse();
        response.statusCode(answer.status());
        response.body(answer.text());
        response.addHeaders(answer.headers().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue()))));
        return response;
    }

    /** Refuses what msal4j would misread: it would cache a token without a lifetime and report invalid JSON vaguely. */
    static void check(HttpAnswer answer) throws Refused {
        int status = answer.status();
        JsonNode body;
        try {
            body = JSON.readTree(answer.body());
        } catch (IOException e) {
            body = null;
        }
        if (body == null || !body.isObject()) {
            throw new Refused("HTTP " + status + " with " + (status == 200 ? "invalid JSON" : "a body that is not an "
                    + "OAuth error") + " (" + answer.body().length + " bytes)");
        }
        if (status != 200) {
            if (!body.path("error").isTextual()) {
                throw new Refused("HTTP " + status + " without an OAuth error (" + answer.body().length + " bytes)");
            }
            return; // msal4j reads the OAuth error and its AADSTS description.
        }
        JsonNode token = body.path("access_token");
        if (!token.isTextual() || token.asText().isEmpty()) {
            throw new Refused("HTTP 200 without an access_token");
        }
        if (token.asText().length() > MAX_TOKEN_CHARS) {
            throw new Refused("HTTP 200 with an access token of " + token.asText().length() + " characters, over the "
                    + MAX_TOKEN_CHARS + " cap");
        }
        JsonNode expiresIn = body.path("expires_in");
        long seconds;
        if (expiresIn.isNumber()) {
            seconds = expiresIn.asLong();
        } else if (expiresIn.isTextual() && expiresIn.asText().strip().matches("-?\\d{1,12}")) {
            seconds = Long.parseLong(expiresIn.asText().strip());
        } else {
            throw new Refused("HTTP 200 with a token without expires_in");
        }
        if (seconds <= 0) {
            throw new Refused("HTTP 200 with a token already expired (expires_in " + seconds + ")");
        }
    }

    URI route(URI uri) throws URISyntaxException {
        if (override.isEmpty()) {
            return uri;
        }
        URI base = override.get();
        return new URI(base.getScheme(), uri.getUserInfo(), base.getHost(), base.getPort(), uri.getPath(), uri.getQuery(), null);
    }
}
