package io.impersonationprobe.ews;

import io.impersonationprobe.http.BoundedHttp;
import io.impersonationprobe.http.HttpRefusedException;
import org.apache.http.HttpEntity;
import org.apache.http.HttpRequestInterceptor;
import org.apache.http.HttpResponseInterceptor;
import org.apache.http.client.methods.HttpRequestWrapper;
import org.apache.http.client.methods.HttpUriRequest;
import org.apache.http.client.protocol.HttpClientContext;
import org.apache.http.config.Registry;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.protocol.HttpContext;
import org.apache.http.ssl.SSLContexts;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.URI;
import java.util.Map;

/**
 * The one HTTP client a tenant's EWS probes share. ews-java-api would build a single-connection client with its own
 * trust manager (which accepts self-signed certificates) for every service object; this one is a {@link BoundedHttp}
 * client (strict TLS, no redirects, bounded header lines) pooled up to the tenant's concurrency, follows the JVM's
 * proxy settings, and captures every raw response for the classifier, reading at most {@link #MAX_RESPONSE_BYTES}
 * and refusing a compressed answer, which ews-java-api would otherwise inflate without limit.
 */
public final class EwsHttpClient implements AutoCloseable {
    /** An IdOnly GetFolder answer is about 1 KiB; anything near this limit is not Exchange talking. */
    public static final int MAX_RESPONSE_BYTES = 1 << 20;

    static final String CAPTURED = "impersonation.captured-response";
    static final String WATCHDOG = "impersonation.watchdog";

    /** Strict TLS with the JVM's trust: standard certificate path and host name checks, no exceptions. */
    static final Registry<ConnectionSocketFactory> STRICT_SOCKETS = BoundedHttp.sockets(SSLContexts.createSystemDefault());

    private final CloseableHttpClient client;

    public EwsHttpClient(int maxConnections) {
        this(maxConnections, SSLContexts.createSystemDefault());
    }

    /** @param ssl the tenant's TLS context: the JVM's trust, or its configured trust store; host names are always checked */
    public EwsHttpClient(int maxConnections, SSLContext ssl) {
        client = BoundedHttp.builder(maxConnections, ssl)
                // One identity per tenant: an NTLM-authenticated connection may serve every probe of the tenant.
                .disableConnectionState()
                .addInterceptorLast(bindToWatchdog())
                .addInterceptorLast(captureResponse())
                .build();
    }

    CloseableHttpClient client() {
        return client;
    }

    private static HttpRequestInterceptor bindToWatchdog() {
        return (request, context) -> {
            if (context.getAttribute(WATCHDOG) instanceof Watchdog watchdog
                    && request instanceof HttpRequestWrapper wrapper
                    && wrapper.getOriginal() instanceof HttpUriRequest original) {
                watchdog.watch(original);
            }
        };
    }

    private static HttpResponseInterceptor captureResponse() {
        return (response, context) -> {
            Map<String, String> headers = BoundedHttp.headers(response);
            int status = response.getStatusLine().getStatusCode();
            HttpEntity entity = response.getEntity();
            try {
                if (status >= 300 && status < 400) {
                    throw BoundedHttp.redirect(status, headers.get("location"), requestUri(context));
                }
                byte[] body = BoundedHttp.readBody(entity, MAX_RESPONSE_BYTES, status);
                if (entity != null) {
                    ByteArrayEntity copy = new ByteArrayEntity(body);
                    copy.setContentType(entity.getContentType());
                    response.setEntity(copy);
                }
                context.setAttribute(CAPTURED, new CapturedResponse(status, headers, body, null));
            } catch (HttpRefusedException refused) {
                context.setAttribute(CAPTURED, new CapturedResponse(status, headers, new byte[0], refused.getMessage()));
                throw refused;
            }
        };
    }

    /** The origin the answer came from, against which a relative Location is resolved. */
    private static URI requestUri(HttpContext context) {
        return URI.create(HttpClientContext.adapt(context).getTargetHost().toURI() + "/");
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
