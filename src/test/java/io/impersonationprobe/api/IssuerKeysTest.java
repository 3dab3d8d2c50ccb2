package io.impersonationprobe.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.impersonationprobe.testing.MovableClock;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The issuer's keys against an issuer that refuses (closes every connection) or redirects: counted at the stub. */
class IssuerKeysTest {
    final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    /** A loopback server that answers each connection with what {@code answer} writes (or nothing), and counts. */
    static final class Stub implements AutoCloseable {
        final ServerSocket server;
        final AtomicInteger connections = new AtomicInteger();

        Stub(Function<Integer, String> answer) throws IOException {
            server = new ServerSocket(0, 500, InetAddress.getLoopbackAddress());
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket socket = server.accept()) {
                        String reply = answer.apply(connections.incrementAndGet());
                        if (reply != null) {
                            OutputStream out = socket.getOutputStream();
                            out.write(reply.getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                        }
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "issuer-stub");
            accept.setDaemon(true);
            accept.start();
        }

        URI issuer() {
            return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/tenant/v2.0");
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @Test
    void aRefusingIssuerIsAskedOncePerBackOffPeriod() throws Exception {
        try (Stub refusing = new Stub(n -> null)) {
            IssuerKeys keys = new IssuerKeys(refusing.issuer(), http, new ObjectMapper(), clock);
            List<CompletableFuture<?>> callers = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                callers.add(keys.forKeyId("k" + i).toCompletableFuture());
            }
            for (CompletableFuture<?> caller : callers) {
                assertThrows(ExecutionException.class, () -> caller.get(30, TimeUnit.SECONDS));
            }
            // One fetch for all 250; the JDK client itself tries an idempotent GET once more on a closed connection.
            int perFetch = refusing.connections.get();
            assertTrue(perFetch == 1 || perFetch == 2, "250 callers share one fetch: " + perFetch + " connections");

            // Within the back-off (5 s), callers fail at once and the issuer hears nothing.
            clock.advance(Duration.ofSeconds(4));
            assertTrue(keys.forKeyId("k").toCompletableFuture().isCompletedExceptionally());
            assertEquals(perFetch, refusing.connections.get());
            clock.advance(Duration.ofSeconds(1));
            assertThrows(ExecutionException.class, () -> keys.forKeyId("k").toCompletableFuture().get(30, TimeUnit.SECONDS));
            assertEquals(2 * perFetch, refusing.connections.get());
            // The back-off has doubled to 10 s.
            clock.advance(Duration.ofSeconds(9));
            assertTrue(keys.forKeyId("k").toCompletableFuture().isCompletedExceptionally());
            assertEquals(2 * perFetch, refusing.connections.get());
        }
    }

    @Test
    void aRedirectIsAnAnswerAndIsNotFollowed() throws Exception {
        try (Stub elsewhere = new Stub(n -> "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");
             Stub redirecting = new Stub(n -> "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:"
                     + elsewhere.server.getLocalPort() + "/keys\r\nContent-Length: 0\r\n\r\n")) {
            IssuerKeys keys = new IssuerKeys(redirecting.issuer(), http, new ObjectMapper(), clock);
            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> keys.forKeyId("k").toCompletableFuture().get(30, TimeUnit.SECONDS));
            assertEquals(1, redirecting.connections.get());
            assertEquals(0, elsewhere.connections.get(), "the Location was contacted");
            assertTrue(String.valueOf(failed.getCause()).contains("302") || failed.getCause() instanceof IOException,
                    String.valueOf(failed.getCause()));
        }
    }
}
