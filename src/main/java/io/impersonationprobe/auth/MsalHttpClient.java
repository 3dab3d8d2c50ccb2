package io.impersonationprobe.auth;

import com.microsoft.aad.msal4j.HttpRequest;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.IHttpResponse;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * msal4j's transport: the JDK HTTP client with the JDK's standard certificate checks and finite timeouts (msal4j's
 * own defaults are infinite). When an override URL is configured, requests go to that scheme, host and port instead
 * of the authority's, which lets the authority stay port-less and msal4j's cache work.
 */
final class MsalHttpClient implements IHttpClient {
    private static final Set<String> RESTRICTED = Set.of("host", "connection", "content-length", "expect", "upgrade");

    private final HttpClient client;
    private final Duration timeout;
    private final Optional<URI> override;

    MsalHttpClient(Duration timeout, Optional<URI> override, javax.net.ssl.SSLContext ssl) {
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .sslContext(ssl).build();
        this.timeout = timeout;
        this.override = override;
    }

    @Override
    public IHttpResponse send(HttpRequest request) throws Exception {
        URI target = route(request.url().toURI());
        java.net.http.HttpRequest.Builder builder = java.net.http.HttpRequest.newBuilder(target).timeout(timeout);
        request.headers().forEach((name, value) -> {
            if (!RESTRICTED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                builder.header(name, value);
            }
        });
        String body = request.body();
        switch (request.httpMethod()) {
            case GET -> builder.GET();
            case POST -> builder.POST(body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
                    : java.net.http.HttpRequest.BodyPublishers.ofString(body));
            default -> throw new IllegalArgumentException("unsupported method " + request.httpMethod());
        }
        HttpResponse<String> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        com.microsoft.aad.msal4j.HttpResponse answer = new com.microsoft.aad.msal4j.HttpResponse();
        answer.statusCode(response.statusCode());
        answer.body(response.body());
        answer.addHeaders(response.headers().map());
        return answer;
    }

    URI route(URI uri) throws java.net.URISyntaxException {
        if (override.isEmpty()) {
            return uri;
        }
        URI base = override.get();
        return new URI(base.getScheme(), uri.getUserInfo(), base.getHost(), base.getPort(), uri.getPath(), uri.getQuery(), null);
    }
}
