package io.impersonationprobe.ews;

import io.impersonationprobe.auth.AccessToken;
import io.impersonationprobe.auth.EwsCredentials;
import io.impersonationprobe.config.TenantKind;
import microsoft.exchange.webservices.data.core.ExchangeService;
import microsoft.exchange.webservices.data.core.enumeration.property.WellKnownFolderName;
import java.net.URI;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/** A local HTTP server that answers every request with one scripted response, however wrong or slow. */
final class StubEwsServer implements AutoCloseable {
    private final HttpServer server;
    private volatile int status = 200;
    private volatile Map<String, String> headers = Map.of();
    private volatile byte[] body = new byte[0];
    private volatile long delayMillis;

    StubEwsServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                if (delayMillis > 0) {
                    Thread.sleep(delayMillis);
                }
                headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
                exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
                if (body.length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // The client gave up (a timeout test): nothing to answer.
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    StubEwsServer answer(int status, Map<String, String> headers, String body) {
        return answer(status, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    StubEwsServer answer(int status, Map<String, String> headers, byte[] body) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.delayMillis = 0;
        return this;
    }

    StubEwsServer delay(long millis) {
        this.delayMillis = millis;
        return this;
    }

    /** A bearer credential that counts the refusals the probe reports. */
    static final class FixedBearer implements EwsCredentials {
        final AtomicInteger rejections = new AtomicInteger();

        @Override
        public String kind() {
            return "test";
        }

        @Override
        public AccessToken applyTo(ExchangeService service, Instant deadline) {
            service.getHttpHeaders().put("Authorization", "Bearer test-token");
            return null;
        }

        @Override
        public void rejected() {
            rejections.incrementAndGet();
        }
    }

    /** The real EWS probe for tenant {@code t}, pointed at this server. */
    EwsEndpoint probe(TenantKind kind, FixedBearer credentials) {
        return endpoint(kind, URI.create(url()), credentials);
    }

    /** The real EWS endpoint of one tenant, as the probe builds it, pointed at {@code url}. */
    static EwsEndpoint endpoint(TenantKind kind, URI url, EwsCredentials credentials) {
        return new EwsEndpoint(kind, url, new EwsHttpClient(4), credentials, WellKnownFolderName.Inbox,
                EwsProbe.watchdogs(), Clock.systemUTC());
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/EWS/Exchange.asmx";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
