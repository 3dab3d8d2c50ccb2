package io.impersonationprobe.ews;

import io.impersonationprobe.config.TenantKind;
import io.impersonationprobe.probe.Outcome;
import io.impersonationprobe.probe.ProbeResult;
import io.impersonationprobe.probe.Trace;
import io.impersonationprobe.probe.Verdict;
import io.impersonationprobe.target.Expectation;
import io.impersonationprobe.target.Target;
import io.impersonationprobe.testing.HostileServer;
import io.impersonationprobe.testing.TestCertificates;
import microsoft.exchange.webservices.data.core.enumeration.property.WellKnownFolderName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The EWS probe against answers an attacker would choose: each is an error within the probe's deadline, costs a
 * bounded amount of memory, and no redirect takes the credentials anywhere. The server at a redirect's Location would
 * answer NoError, so a followed redirect would show as access.
 */
class HostileEwsAnswersTest {
    static final Target TARGET = new Target("t", "g", "alex.wilber@contoso.com", Expectation.ALLOW);
    static final Duration DEADLINE = Duration.ofSeconds(3);
    static final String EWS = "/EWS/Exchange.asmx";

    static HostileServer server;
    static HostileServer elsewhere;

    @BeforeAll
    static void start() throws IOException {
        elsewhere = new HostileServer().on("ews", HostileServer.plain(200, "text/xml; charset=utf-8",
                HostileServer.GET_FOLDER_NO_ERROR));
        server = new HostileServer()
                .on("endless-status-line", HostileServer.endlessStatusLine())
                .on("endless-header-lines", HostileServer.endlessHeaderLines())
                .on("endless-header-line", HostileServer.endlessHeaderLine())
                .on("endless-body", HostileServer.endlessChunkedBody("text/xml; charset=utf-8", "<?xml version=\"1.0\"?>"))
                .on("gzip-text", HostileServer.gzipBomb('A'))
                .on("gzip-whitespace", HostileServer.gzipBomb(' '));
        for (int status : new int[] {301, 302, 303, 307, 308}) {
            server.on("redirect-" + status, HostileServer.redirect(status, elsewhere.url("ews", EWS)));
        }
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
        elsewhere.close();
    }

    private static ProbeResult probe(String url, SSLContext trust) throws IOException {
        try (EwsEndpoint endpoint = new EwsEndpoint(TenantKind.EXCHANGE_ONLINE, URI.create(url),
                new EwsHttpClient(4, trust), new StubEwsServer.FixedBearer(), WellKnownFolderName.Inbox,
                EwsProbe.watchdogs(), Clock.systemUTC())) {
            Instant start = Instant.now();
            ProbeResult result = endpoint.probe(TARGET, start.plus(DEADLINE), Trace.OFF);
            Duration took = Duration.between(start, Instant.now());
            assertTrue(took.compareTo(DEADLINE.plusSeconds(1)) <= 0, url + " took " + took + ": " + result.detail());
            assertEquals(Verdict.ERROR, result.verdict(), url + ": " + result.outcome() + " " + result.detail());
            System.out.printf("%-24s %-16s %5d ms  %s%n", URI.create(url).getPath().split("/")[1], result.outcome(),
                    took.toMillis(), result.detail());
            return result;
        }
    }

    private static ProbeResult probe(String answer) throws Exception {
        return probe(server.url(answer, EWS), SSLContext.getDefault());
    }

    @ParameterizedTest
    @ValueSource(strings = {"endless-status-line", "endless-header-lines", "endless-header-line", "endless-body"})
    void endlessAnswersAreCutOffByTheirLimits(String answer) throws Exception {
        ProbeResult result = probe(answer);
        assertEquals(Outcome.INVALID_RESPONSE, result.outcome(), result.detail());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip-text", "gzip-whitespace"})
    void aCompressedAnswerThatWasNotAskedForIsRefusedUnread(String answer) throws Exception {
        ProbeResult result = probe(answer);
        assertEquals(Outcome.INVALID_RESPONSE, result.outcome(), result.detail());
        assertTrue(result.detail().contains("Content-Encoding gzip"), result.detail());
    }

    @ParameterizedTest
    @ValueSource(ints = {301, 302, 303, 307, 308})
    void noRedirectIsFollowed(int status) throws Exception {
        int before = elsewhere.requests("ews");
        ProbeResult result = probe("redirect-" + status);
        assertEquals(Outcome.INVALID_RESPONSE, result.outcome(), result.detail());
        assertEquals(status, result.httpStatus());
        assertTrue(result.detail().contains("HTTP " + status + " redirect to " + elsewhere.origin()), result.detail());
        assertEquals(before, elsewhere.requests("ews"), "the Location was never contacted");
    }

    @Test
    void aRedirectFromHttpsToPlainHttpIsNotFollowed(@TempDir Path dir) throws Exception {
        Path key = TestCertificates.keyPair(dir, "server", "localhost", "dns:localhost,ip:127.0.0.1", "changeit");
        KeyStore store = TestCertificates.load(key, "changeit");
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "changeit".toCharArray());
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(keys.getKeyManagers(), null, null);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext clientTls = SSLContext.getInstance("TLS");
        clientTls.init(null, trust.getTrustManagers(), null);
        try (HostileServer https = new HostileServer(serverTls)
                .on("redirect", HostileServer.redirect(303, elsewhere.url("ews", EWS)))) {
            int before = elsewhere.requests("ews");
            ProbeResult result = probe(https.url("redirect", EWS), clientTls);
            assertEquals(Outcome.INVALID_RESPONSE, result.outcome(), result.detail());
            assertTrue(result.detail().contains("redirect to http://127.0.0.1:" + elsewhere.port()), result.detail());
            assertEquals(before, elsewhere.requests("ews"), "the plain-http Location was never contacted");
            assertNotEquals(0, https.requests("redirect"), "the probe did reach the https server");
        }
    }
}
