package io.impersonationprobe.api;

import io.impersonationprobe.simulator.Simulator;
import io.impersonationprobe.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * OIDC configured, its issuer black-holed (it accepts connections and never answers): 250 requests with a junk
 * bearer token and 250 with a well-formed token of an unknown key arrive at once. While they are in flight, health,
 * metrics, the status page and API-key calls answer; the junk costs at most one outbound connection, and every junk
 * request ends as a 401 problem once the one shared fetch gives up, with one WARN.
 */
@QuarkusTest
@WithTestResource(value = OidcIssuerOutageTest.SilentIssuer.class)
class OidcIssuerOutageTest {
    static final int JUNK = 250;

    /** Marks the test's field that receives the count of connections the silent issuer accepted. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    @interface InjectConnections {
    }

    /** The simulated tenant, and an OIDC issuer that accepts connections and never answers. */
    public static class SilentIssuer extends SimulatorResource {
        private final AtomicInteger connections = new AtomicInteger();
        private final List<Socket> held = new CopyOnWriteArrayList<>();
        private ServerSocket server;

        @Override
        protected Map<String, String> configFor(Simulator started) {
            try {
                server = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        held.add(server.accept());
                        connections.incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "silent-issuer");
            accept.setDaemon(true);
            accept.start();
            return Map.of("impersonation.api.oidc.issuer", "http://127.0.0.1:" + server.getLocalPort() + "/silent/v2.0",
                    "impersonation.api.oidc.audience", "api://impersonation-probe");
        }

        @Override
        public void inject(TestInjector injector) {
            super.inject(injector);
            injector.injectIntoFields(connections, new TestInjector.AnnotatedAndMatchesType(InjectConnections.class,
                    AtomicInteger.class));
        }

        @Override
        public void stop() {
            try {
                server.close();
                for (Socket socket : held) {
                    socket.close();
                }
            } catch (IOException ignored) {
                // closing anyway
            }
            super.stop();
        }
    }

    @InjectConnections
    AtomicInteger connections;

    @Test
    void junkTokensDoNotLockAnyoneOut() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(String.valueOf(record.getMessage()));
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger keysLog = Logger.getLogger(IssuerKeys.class.getName());
        keysLog.addHandler(capture);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        URI base = URI.create("http://localhost:" + RestAssured.port);
        try {
            String wellFormed = b64("{\"alg\":\"RS256\",\"kid\":\"unknown\"}") + "." + b64("{\"sub\":\"x\"}") + "."
                    + b64("signature");
            List<CompletableFuture<HttpResponse<String>>> junk = new ArrayList<>();
            for (int i = 0; i < JUNK; i++) {
                for (String token : List.of("a.b.c", wellFormed)) {
                    junk.add(http.sendAsync(HttpRequest.newBuilder(base.resolve("/api/v1/targets"))
                            .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60)).build(),
                            HttpResponse.BodyHandlers.ofString()));
                }
            }
            // The well-formed ones wait on the issuer; meanwhile everything else answers.
            for (String path : List.of("/q/health/live", "/q/metrics", "/")) {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(base.resolve(path))
                        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, answer.statusCode(), path);
            }
            HttpResponse<String> withKey = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/targets"))
                    .header("Authorization", "Bearer test-reader-key").timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, withKey.statusCode(), withKey.body());
            long pending = junk.stream().filter(f -> !f.isDone()).count();
            System.out.printf("OIDC issuer silent: %d of %d junk requests still waiting while health, metrics, "
                    + "status page and an API-key call answered; %d outbound connections%n", pending, junk.size(),
                    connections.get());
            assertTrue(pending > 0, "the junk must still be in flight, or this test proves nothing");

            for (CompletableFuture<HttpResponse<String>> request : junk) {
                HttpResponse<String> refused = request.get(60, TimeUnit.SECONDS);
                assertEquals(401, refused.statusCode(), refused.body());
                assertEquals(Problem.MEDIA_TYPE, refused.headers().firstValue("Content-Type").orElse(""));
            }
            assertEquals(1, connections.get(), "one shared discovery request for all the junk");
            List<String> ours = warnings.stream().filter(w -> w.contains("could not be fetched")).toList();
            assertEquals(1, ours.size(), String.join("\n", warnings));

            // In the back-off window, a token that needs keys is refused at once, with no new connection or WARN.
            HttpResponse<String> again = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/targets"))
                    .header("Authorization", "Bearer " + wellFormed).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, again.statusCode());
            assertEquals(1, connections.get());
        } finally {
            keysLog.removeHandler(capture);
        }
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
