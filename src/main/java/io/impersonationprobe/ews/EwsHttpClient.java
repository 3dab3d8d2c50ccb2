package io.impersonationprobe.ews;

import org.apache.http.Header;
import org.apache.http.HttpEntity;
import org.apache.http.HttpRequestInterceptor;
import org.apache.http.HttpResponseInterceptor;
import org.apache.http.client.methods.HttpRequestWrapper;
import org.apache.http.client.methods.HttpUriRequest;
import org.apache.http.config.Registry;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.socket.PlainConnectionSocketFactory;
import org.apache.http.conn.ssl.DefaultHostnameVerifier;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.ssl.SSLContexts;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;
import org.apache.http.protocol.HttpContext;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The one HTTP client a tenant's EWS probes share. ews-java-api would build a single-connection client with its own
 * trust manager (which accepts self-signed certificates) for every service object; this one pools connections up to
 * the tenant's concurrency, verifies TLS with the JDK's standard checks (honouring {@code javax.net.ssl.trustStore}
 * for internal CAs), follows the JVM's proxy settings, and captures every raw response for the classifier.
 */
public final class EwsHttpClient implements AutoCloseable {
    /** An IdOnly GetFolder answer is about 1 KiB; anything near this limit is not Exchange talking. */
    public static final int MAX_RESPONSE_BYTES = 1 << 20;

    static final String CAPTURED = "impersonation.captured-response";
    static final String WATCHDOG = "impersonation.watchdog";

    /** Strict TLS with the JVM's trust: standard certificate path and host name checks, no exceptions. */
    static final Registry<ConnectionSocketFactory> STRICT_SOCKETS = sockets(SSLContexts.createSystemDefault());

    private final PoolingHttpClientConnectionManager connections;
    private final CloseableHttpClient client;

    public EwsHttpClient(int maxConnections) {
        this(maxConnections, SSLContexts.createSystemDefault());
    }

    /** @param ssl the tenant's TLS context: the JVM's trust, or its configured trust store; host names are always checked */
    public EwsHttpClient(int maxConnections, SSLContext ssl) {
        connections = new PoolingHttpClientConnectionManager(sockets(ssl), null, null, null, 5, TimeUnit.MINUTES);
        connections.setMaxTotal(maxConnections);
        connections.setDefaultMaxPerRoute(maxConnections);
        connections.setValidateAfterInactivity(2_000);
        client = HttpClients.custom()
                .setConnectionManager(connections)
                .useSystemProperties()
                .disableContentCompression()
                // One identity per tenant: an NTLM-authenticated connection may serve every probe of the tenant.
                .disableConnectionState()
                .evictIdleConnections(60, TimeUnit.SECONDS)
                .addInterceptorLast(bindToWatchdog())
                .addInterceptorLast(captureResponse())
                .build();
    }

    private static Registry<ConnectionSocketFactory> sockets(SSLContext ssl) {
        return RegistryBuilder.<ConnectionSocketFactory>create()
                .register("http", PlainConnectionSocketFactory.getSocketFactory())
                .register("https", new SSLConnectionSocketFactory(ssl, new DefaultHostnameVerifier()))
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
            Map<String, String> headers = new HashMap<>();
            for (Header header : response.getAllHeaders()) {
                headers.merge(header.getName().toLowerCase(Locale.ROOT), header.getValue(), (a, b) -> a + ", " + b);
            }
            int status = response.getStatusLine().getStatusCode();
            HttpEntity entity = response.getEntity();
            if (entity == null) {
                context.setAttribute(CAPTURED, new CapturedResponse(status, headers, new byte[0], false));
                return;
            }
            byte[] body = readLimited(entity, status, headers, context);
            ByteArrayEntity copy = new ByteArrayEntity(body);
            copy.setContentType(entity.getContentType());
            copy.setContentEncoding(entity.getContentEncoding());
            response.setEntity(copy);
            context.setAttribute(CAPTURED, new CapturedResponse(status, headers, body, false));
        };
    }

    private static byte[] readLimited(HttpEntity entity, int status, Map<String, String> headers, HttpContext context)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(
                (int) Math.min(Math.max(entity.getContentLength(), 1024), MAX_RESPONSE_BYTES));
        byte[] buffer = new byte[8192];
        try (InputStream in = entity.getContent()) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                if (out.size() + n > MAX_RESPONSE_BYTES) {
                    context.setAttribute(CAPTURED, new CapturedResponse(status, headers, out.toByteArray(), true));
                    throw new IOException("response larger than " + MAX_RESPONSE_BYTES + " bytes");
                }
                out.write(buffer, 0, n);
            }
        }
        return out.toByteArray();
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
