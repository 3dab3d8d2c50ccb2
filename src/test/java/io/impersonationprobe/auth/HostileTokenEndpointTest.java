package io.impersonationprobe.auth;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import io.impersonationprobe.config.ProbeConfig;
import io.impersonationprobe.testing.HostileServer;
import io.impersonationprobe.testing.MovableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The token source against token endpoints an attacker would run: nothing it sends is cached or sent on, every
 * refusal says what the endpoint did, concurrent callers share one request and its failure, and after a failure the
 * endpoint is left alone for the back-off while probes fail at once.
 */
class HostileTokenEndpointTest {
    static final String JSON = "application/json; charset=utf-8";
    static final Duration BACKOFF = Duration.ofSeconds(5);
    static HostileServer server;

    @BeforeAll
    static void start() throws IOException {
        server = new HostileServer()
                .on("valid", HostileServer.plain(200, JSON, token("eyJ0eXAiOiJKV1QifQ.e30.c2ln", "3599")))
                .on("endless-body", HostileServer.endlessChunkedBody(JSON, "{\"access_token\":\""))
                .on("invalid-json", HostileServer.plain(200, JSON, "{\"token_type\":\"Bearer\",\"access_tok"))
                .on("oauth-500", HostileServer.plain(500, JSON, "{\"error\":\"temporarily_unavailable\","
                        + "\"error_description\":\"AADSTS50000: There was an error issuing a token.\\r\\nTrace ID: 1\","
                        + "\"error_codes\":[50000]}"))
                .on("html-500", HostileServer.plain(500, "text/html", "<html><body>Service Unavailable</body></html>"))
                .on("expires-zero", HostileServer.plain(200, JSON, token("eyJ0eXAiOiJKV1QifQ.e30.c2ln", "0")))
                .on("expired-an-hour-ago", HostileServer.plain(200, JSON, token("eyJ0eXAiOiJKV1QifQ.e30.c2ln", "-3600")))
                .on("no-expiry", HostileServer.plain(200, JSON, "{\"token_type\":\"Bearer\",\"access_token\":\"eyJ.e30.c2ln\"}"))
                .on("five-megabytes", HostileServer.plain(200, JSON, token("A".repeat(5 << 20), "3599")))
                .on("token-of-70-kib", HostileServer.plain(200, JSON, token("A".repeat(70 << 10), "3599")))
                .on("redirect", HostileServer.redirect(302, "http://127.0.0.1:9/token"))
                .on("slow-500", HostileServer.slow(3000, HostileServer.plain(500, JSON,
                        "{\"error\":\"temporarily_unavailable\",\"error_description\":\"AADSTS50000: slow and broken.\"}")))
                .on("slow-valid", HostileServer.slow(3000, HostileServer.plain(200, JSON, token("eyJ.e30.c2xvdw", "3599"))));
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
    }

    static String token(String value, String expiresIn) {
        return "{\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + ",\"ext_expires_in\":3599,\"access_token\":\""
                + value + "\"}";
    }

    /** The real token source for directory {@code answer}, its requests routed to the hostile server. */
    static MsalTokenSource source(String answer, MovableClock clock, List<String> results) throws Exception {
        ProbeConfig.Auth auth = (ProbeConfig.Auth) Proxy.newProxyInstance(ProbeConfig.Auth.class.getClassLoader(),
                new Class<?>[] {ProbeConfig.Auth.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "directory" -> Optional.of(answer);
                    case "clientId" -> Optional.of("6731de76-14a6-49ae-97bc-6eba6914391e");
                    case "authority" -> URI.create("https://login.microsoftonline.com");
                    case "authorityUrlOverride" -> Optional.of(URI.create(server.origin()));
                    case "scope" -> "https://outlook.office365.com/.default";
                    case "tokenTimeout" -> Duration.ofSeconds(10);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return new MsalTokenSource("t", auth, ClientCredentialFactory.createFromSecret("not-a-real-secret"),
                SSLContext.getDefault(), clock, BACKOFF, (tenant, result, took, expiry) -> results.add(result));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "endless-body        | HTTP 200, body larger than 131072 bytes",
            "invalid-json        | HTTP 200 with invalid JSON (34 bytes)",
            "oauth-500           | HTTP 500, AADSTS50000: There was an error issuing a token.",
            "html-500            | HTTP 500 with a body that is not an OAuth error (45 bytes)",
            "expires-zero        | HTTP 200 with a token already expired (expires_in 0)",
            "expired-an-hour-ago | HTTP 200 with a token already expired (expires_in -3600)",
            "no-expiry           | HTTP 200 with a token without expires_in",
            "five-megabytes      | HTTP 200, body larger than 131072 bytes",
            "token-of-70-kib     | HTTP 200 with an access token of 71680 characters, over the 65536 cap",
            "redirect            | HTTP 302 redirect to http://127.0.0.1:9, not followed"})
    void aHostileAnswerIsRefusedSayingWhatTheEndpointDid(String answer, String detail) throws Exception {
        MovableClock clock = new MovableClock(Instant.now());
        MsalTokenSource tokens = source(answer, clock, new ArrayList<>());
        Instant start = Instant.now();
        TokenException e = assertThrows(TokenException.class, () -> tokens.token(clock.instant().plusSeconds(5)));
        Duration took = Duration.between(start, Instant.now());
        System.out.printf("token %-20s %5d ms  %s%n", answer, took.toMillis(), e.getMessage());
        assertTrue(e.getMessage().startsWith(detail), e.getMessage());
        assertTrue(took.compareTo(Duration.ofSeconds(6)) < 0, "took " + took);
        int before = server.requests(answer);
        TokenException cached = assertThrows(TokenException.class, () -> tokens.token(clock.instant().plusSeconds(5)));
        assertTrue(cached.getMessage().startsWith(detail), "the cause is kept: " + cached.getMessage());
        assertEquals(before, server.requests(answer), "no request during the back-off");
    }

    @Test
    void aValidTokenIsRequestedOnceAndServedFromTheCache() throws Exception {
        MovableClock clock = new MovableClock(Instant.now());
        List<String> results = new CopyOnWriteArrayList<>();
        MsalTokenSource tokens = source("valid", clock, results);
        AccessToken first = tokens.token(clock.instant().plusSeconds(5));
        AccessToken second = tokens.token(clock.instant().plusSeconds(5));
        assertEquals(first.value(), second.value());
        assertTrue(second.fromCache());
        assertEquals(List.of("success"), results);
        assertTrue(first.expiresAt().isAfter(clock.instant().plusSeconds(3000)), first.toString());
    }

    @Test
    void concurrentCallersShareOneSlowFailureThenFailAtOnceUntilTheBackOffEnds() throws Exception {
        MovableClock clock = new MovableClock(Instant.now());
        List<String> results = new CopyOnWriteArrayList<>();
        MsalTokenSource tokens = source("slow-500", clock, results);
        ExecutorService callers = Executors.newFixedThreadPool(4);
        List<Future<Duration>> waits = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            waits.add(callers.submit(() -> {
                Instant start = Instant.now();
                assertThrows(TokenException.class, () -> tokens.token(clock.instant().plusSeconds(5)));
                return Duration.between(start, Instant.now());
            }));
        }
        for (Future<Duration> wait : waits) {
            Duration took = wait.get(10, TimeUnit.SECONDS);
            System.out.println("slow token endpoint, one of 4 concurrent callers waited " + took.toMillis() + " ms");
            assertTrue(took.compareTo(Duration.ofMillis(4500)) < 0, "shared one 3 s request: " + took);
        }
        callers.shutdown();
        assertEquals(1, server.requests("slow-500"), "one request for four callers");

        Instant start = Instant.now();
        TokenException backingOff = assertThrows(TokenException.class, () -> tokens.token(clock.instant().plusSeconds(5)));
        assertTrue(Duration.between(start, Instant.now()).toMillis() < 500, "fails at once during the back-off");
        assertTrue(backingOff.getMessage().startsWith("HTTP 500, AADSTS50000: slow and broken."), backingOff.getMessage());

        clock.advance(BACKOFF.plusSeconds(1));
        assertThrows(TokenException.class, () -> tokens.token(clock.instant().plusSeconds(5)));
        assertEquals(2, server.requests("slow-500"), "a new request once the back-off has passed");
        clock.advance(BACKOFF.plusSeconds(1));
        assertThrows(TokenException.class, () -> tokens.token(clock.instant().plusSeconds(5)));
        assertEquals(2, server.requests("slow-500"), "the back-off doubled to 10 s");
        assertEquals(2, results.size(), "one metric sample per request sent: " + results);
    }

    @Test
    void waitingForATokenEndsAtTheCallersDeadline() throws Exception {
        MovableClock clock = new MovableClock(Instant.now());
        MsalTokenSource tokens = source("slow-valid", clock, new ArrayList<>());
        Instant start = Instant.now();
        TokenException e = assertThrows(TokenException.class, () -> tokens.token(clock.instant().plusMillis(800)));
        Duration took = Duration.between(start, Instant.now());
        assertEquals("timeout", e.errorCode(), e.getMessage());
        assertTrue(took.compareTo(Duration.ofMillis(2000)) < 0, "left at its deadline: " + took);
        // The request went on for the next caller, which gets its token without a second request.
        AccessToken token = tokens.token(clock.instant().plusSeconds(10));
        assertEquals("eyJ.e30.c2xvdw", token.value());
        assertEquals(1, server.requests("slow-valid"));
    }
}
