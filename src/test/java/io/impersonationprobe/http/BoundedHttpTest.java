package io.impersonationprobe.http;

import io.impersonationprobe.testing.HostileServer;
import org.apache.http.client.methods.HttpGet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transport Graph, the token endpoint and the admin API share, against hostile answers: each ends in a bounded
 * time with a named failure, and nothing follows a redirect.
 */
class BoundedHttpTest {
    static HostileServer server;
    static HostileServer elsewhere;
    static BoundedHttp http;

    @BeforeAll
    static void start() throws Exception {
        elsewhere = new HostileServer().on("target", HostileServer.plain(200, "application/json", "{\"id\":\"x\"}"));
        server = new HostileServer()
                .on("ok", HostileServer.plain(200, "application/json", "{\"id\":\"AAMkAGI2\"}"))
                .on("endless-status-line", HostileServer.endlessStatusLine())
                .on("endless-header-lines", HostileServer.endlessHeaderLines())
                .on("endless-header-line", HostileServer.endlessHeaderLine())
                .on("endless-body", HostileServer.endlessChunkedBody("application/json", "{\"id\":\""))
                .on("announced-too-large", HostileServer.plain(200, "application/json", new byte[70_000]))
                .on("gzip", HostileServer.gzipBomb(' '))
                .on("slow", HostileServer.slow(10_000, HostileServer.plain(200, "application/json", "{}")));
        for (int status : new int[] {301, 302, 303, 307, 308}) {
            server.on("redirect-" + status, HostileServer.redirect(status, elsewhere.url("target", "/secret?token=x")));
        }
        http = new BoundedHttp(4, SSLContext.getDefault(), 64 * 1024);
    }

    @AfterAll
    static void stop() throws IOException {
        http.close();
        server.close();
        elsewhere.close();
    }

    private static HttpAnswer get(String answer, Duration deadline) throws IOException {
        return http.execute(new HttpGet(server.url(answer, "/v1.0/users/a@b/mailFolders/inbox")), deadline);
    }

    @Test
    void aNormalAnswerIsReadWhole() throws IOException {
        HttpAnswer answer = get("ok", Duration.ofSeconds(5));
        assertEquals(200, answer.status());
        assertEquals("{\"id\":\"AAMkAGI2\"}", answer.text());
        assertEquals("application/json", answer.header("Content-Type"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"endless-status-line", "endless-header-lines", "endless-header-line"})
    void headersOverTheLimitsAreAProtocolFailure(String answer) {
        Instant start = Instant.now();
        IOException e = assertThrows(IOException.class, () -> get(answer, Duration.ofSeconds(5)));
        assertTrue(BoundedHttp.brokeProtocol(e), e.toString());
        assertTrue(Duration.between(start, Instant.now()).toMillis() < 3000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"endless-body", "announced-too-large"})
    void aBodyOverTheCapIsAbandoned(String answer) {
        HttpRefusedException e = assertThrows(HttpRefusedException.class, () -> get(answer, Duration.ofSeconds(5)));
        assertEquals("HTTP 200, body larger than 65536 bytes", e.getMessage());
    }

    @Test
    void aCompressedAnswerIsRefusedUnread() {
        HttpRefusedException e = assertThrows(HttpRefusedException.class, () -> get("gzip", Duration.ofSeconds(5)));
        assertEquals("HTTP 200 with Content-Encoding gzip, which was not asked for", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {301, 302, 303, 307, 308})
    void noRedirectIsFollowedAndOnlyItsOriginIsNamed(int status) {
        HttpRefusedException e = assertThrows(HttpRefusedException.class,
                () -> get("redirect-" + status, Duration.ofSeconds(5)));
        assertEquals("HTTP " + status + " redirect to " + elsewhere.origin() + ", not followed", e.getMessage());
        assertEquals(status, e.status());
        assertEquals(0, elsewhere.requests("target"));
    }

    @Test
    void theWholeExchangeEndsAtTheDeadline() {
        Instant start = Instant.now();
        assertThrows(DeadlinePassedException.class, () -> get("slow", Duration.ofMillis(700)));
        Duration took = Duration.between(start, Instant.now());
        assertTrue(took.compareTo(Duration.ofMillis(1700)) < 0, "took " + took);
    }
}
