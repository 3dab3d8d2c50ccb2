package io.impersonationprobe.http;

import io.impersonationprobe.Printable;
import org.apache.http.Header;
import org.apache.http.HttpEntity;
import org.apache.http.HttpResponse;
import org.apache.http.MessageConstraintException;
import org.apache.http.ProtocolException;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpRequestBase;
import org.apache.http.config.ConnectionConfig;
import org.apache.http.config.MessageConstraints;
import org.apache.http.config.Registry;
import org.apache.http.config.RegistryBuilder;
import org.apache.http.conn.ConnectionReleaseTrigger;
import org.apache.http.conn.socket.ConnectionSocketFactory;
import org.apache.http.conn.socket.PlainConnectionSocketFactory;
import org.apache.http.conn.ssl.DefaultHostnameVerifier;
import org.apache.http.conn.ssl.SSLConnectionSocketFactory;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClientBuilder;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The daemon's one way to talk HTTP to a server it does not control (EWS, Graph, the token endpoint, the admin API),
 * on Apache HttpClient 4: TLS verified with the JDK's standard checks, no redirect ever followed, no retry, no
 * decompression, the status line and each header line at most {@link #MAX_LINE_BYTES}, at most
 * {@link #MAX_HEADER_COUNT} header lines, the body read up to a cap and abandoned the moment it passes it, and the
 * whole exchange aborted at its deadline. Whatever a server sends, it costs a bounded amount of memory and time.
 */
public final class BoundedHttp implements AutoCloseable {
    /** The status line and each header line; Exchange's longest (x-ms-diagnostics, Set-Cookie) are a few hundred bytes. */
    public static final int MAX_LINE_BYTES = 8 * 1024;
    /** Header lines per answer; Exchange sends about twenty. With the line cap, the header section stays under 512 KiB. */
    public static final int MAX_HEADER_COUNT = 64;

    private static final ScheduledExecutorService DEADLINES = deadlineTimer();

    private final CloseableHttpClient client;
    private final int maxBodyBytes;

    /** A client for public endpoints (Entra ID, Graph, the admin API): the JVM's trust store. */
    public BoundedHttp(int maxConnections, int maxBodyBytes) {
        this(maxConnections, jvmTrust(), maxBodyBytes);
    }

    /**
     * @param maxConnections the pool size: as many as requests may run at once
     * @param ssl            the TLS context whose trust applies; host names are always checked
     * @param maxBodyBytes   the largest body this client's callers can expect
     */
    public BoundedHttp(int maxConnections, SSLContext ssl, int maxBodyBytes) {
        this.client = builder(maxConnections, ssl).build();
        this.maxBodyBytes = maxBodyBytes;
    }

    /**
     * A client builder with every limit of this class in place, for a caller that adds its own interceptors (EWS,
     * whose library sends the requests itself).
     */
    public static HttpClientBuilder builder(int maxConnections, SSLContext ssl) {
        PoolingHttpClientConnectionManager connections =
                new PoolingHttpClientConnectionManager(sockets(ssl), null, null, null, 5, TimeUnit.MINUTES);
        connections.setMaxTotal(maxConnections);
        connections.setDefaultMaxPerRoute(maxConnections);
        connections.setValidateAfterInactivity(2_000);
        connections.setDefaultConnectionConfig(ConnectionConfig.custom()
                .setMessageConstraints(MessageConstraints.custom()
                        .setMaxLineLength(MAX_LINE_BYTES)
                        .setMaxHeaderCount(MAX_HEADER_COUNT)
                        .build())
                .build());
        return HttpClients.custom()
                .setConnectionManager(connections)
                .useSystemProperties()
                // A redirect could steer the credentials to another origin: it is an answer, never followed.
                .disableRedirectHandling()
                // No Accept-Encoding is sent and nothing is inflated: a compressed answer is refused instead.
                .disableContentCompression()
                .disableAutomaticRetries()
                .evictIdleConnections(60, TimeUnit.SECONDS);
    }

    private static SSLContext jvmTrust() {
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no default TLS context", e);
        }
    }

    /** Strict TLS with the given trust: standard certificate path and host name checks, no exceptions. */
    public static Registry<ConnectionSocketFactory> sockets(SSLContext ssl) {
        return RegistryBuilder.<ConnectionSocketFactory>create()
                .register("http", PlainConnectionSocketFactory.getSocketFactory())
                .register("https", new SSLConnectionSocketFactory(ssl, new DefaultHostnameVerifier()))
                .build();
    }

    /**
     * Sends the request and reads the whole answer before {@code timeLeft} runs out.
     *
     * @throws HttpRefusedException    a redirect, a body over the cap, or an encoding not asked for
     * @throws DeadlinePassedException the deadline passed first (the request is aborted)
     * @throws IOException             the server was not reached or broke the protocol (a header line or count
     *                                 over the limits included)
     */
    public HttpAnswer execute(HttpRequestBase request, Duration timeLeft) throws IOException {
        int millis = (int) Math.max(1, Math.min(timeLeft.toMillis(), Integer.MAX_VALUE));
        request.setConfig(RequestConfig.custom().setConnectTimeout(millis).setSocketTimeout(millis)
                .setConnectionRequestTimeout(millis).setRedirectsEnabled(false).build());
        AtomicBoolean fired = new AtomicBoolean();
        ScheduledFuture<?> alarm = DEADLINES.schedule(() -> {
            fired.set(true);
            request.abort();
        }, millis, TimeUnit.MILLISECONDS);
        try (CloseableHttpResponse response = client.execute(request)) {
            int status = response.getStatusLine().getStatusCode();
            Map<String, String> headers = headers(response);
            if (status >= 300 && status < 400) {
                throw redirect(status, headers.get("location"), request.getURI());
            }
            return new HttpAnswer(status, headers, readBody(response.getEntity(), maxBodyBytes, status));
        } catch (IOException e) {
            if (fired.get() && !(e instanceof HttpRefusedException)) {
                throw new DeadlinePassedException("no complete answer within " + millis + " ms");
            }
            throw e;
        } finally {
            alarm.cancel(false);
        }
    }

    /** True when the failure is an answer over the header limits or one that is not HTTP at all. */
    public static boolean brokeProtocol(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MessageConstraintException || t instanceof ProtocolException) {
                return true;
            }
        }
        return false;
    }

    /** Response headers by lower-case name; repeated headers joined with ", ". */
    public static Map<String, String> headers(HttpResponse response) {
        Map<String, String> headers = new HashMap<>();
        for (Header header : response.getAllHeaders()) {
            headers.merge(header.getName().toLowerCase(Locale.ROOT), header.getValue(), (a, b) -> a + ", " + b);
        }
        return headers;
    }

    /** A 3xx as a refusal naming only the origin it pointed to, never its path or query (they may carry secrets). */
    public static HttpRefusedException redirect(int status, String location, URI from) {
        return new HttpRefusedException(status, "HTTP " + status + " redirect to " + redirectOrigin(location, from)
                + ", not followed");
    }

    /** The scheme, host and port a Location header points to, resolved against the request; "no Location" when absent. */
    public static String redirectOrigin(String location, URI from) {
        if (location == null || location.isBlank()) {
            return "no Location";
        }
        try {
            URI target = from.resolve(location.strip());
            return target.getScheme() + "://" + target.getHost() + (target.getPort() < 0 ? "" : ":" + target.getPort());
        } catch (IllegalArgumentException e) {
            return "an unreadable Location";
        }
    }

    /**
     * Reads a body up to {@code cap} bytes. A body announced or found to be larger is abandoned at once (the caller
     * closes the response, which drops the connection); a Content-Encoding other than identity is refused unread,
     * since none was asked for.
     */
    public static byte[] readBody(HttpEntity entity, int cap, int status) throws HttpRefusedException, IOException {
        if (entity == null) {
            return new byte[0];
        }
        Header encoding = entity.getContentEncoding();
        if (encoding != null && !encoding.getValue().isBlank() && !"identity".equalsIgnoreCase(encoding.getValue().strip())) {
            throw new HttpRefusedException(status, "HTTP " + status + " with Content-Encoding "
                    + Printable.of(encoding.getValue(), 40) + ", which was not asked for");
        }
        if (entity.getContentLength() > cap) {
            throw tooLarge(status, cap);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(entity.getContentLength(), 1024), cap));
        byte[] buffer = new byte[8192];
        InputStream in = entity.getContent();
        int n;
        while ((n = in.read(buffer)) != -1) {
            if (out.size() + n > cap) {
                // Closing would read the rest of the body first (HttpClient drains it to reuse the connection).
                if (in instanceof ConnectionReleaseTrigger connection) {
                    connection.abortConnection();
                }
                throw tooLarge(status, cap);
            }
            out.write(buffer, 0, n);
        }
        in.close();
        return out.toByteArray();
    }

    private static HttpRefusedException tooLarge(int status, int cap) {
        return new HttpRefusedException(status, "HTTP " + status + ", body larger than " + cap + " bytes");
    }

    /** One timer for every deadline; a cancelled deadline leaves the queue at once. */
    private static ScheduledExecutorService deadlineTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "http-deadline");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
