package io.impersonationprobe.api;

import io.impersonationprobe.testing.SimulatorResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Refusals the HTTP layer makes on its own, each as an RFC 9457 problem: a chunked body over the limit (413), a
 * 5,000-character path (414), a 60 KB header (431). None of them logs a stack trace or anything at ERROR.
 */
@QuarkusTest
@WithTestResource(value = SimulatorResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ClientErrorProblemsTest {
    final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.SEVERE.intValue() || record.getThrown() != null) {
                logged.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    record Answer(int status, String head, String body) {
    }

    @BeforeEach
    void captureLog() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapture() {
        Logger.getLogger("").removeHandler(capture);
    }

    static Answer send(byte[] request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), RestAssured.port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException closedEarly) {
                // the server may answer and close before the whole request is written
            }
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(all);
            } catch (IOException reset) {
                // a reset after the answer still leaves the answer read
            }
            String text = all.toString(StandardCharsets.ISO_8859_1);
            int split = text.indexOf("\r\n\r\n");
            String head = split < 0 ? text : text.substring(0, split);
            return new Answer(Integer.parseInt(head.substring(9, 12)), head, split < 0 ? "" : text.substring(split + 4));
        }
    }

    static void assertProblem(Answer answer, int status) {
        assertEquals(status, answer.status(), answer.head());
        assertTrue(answer.head().toLowerCase(Locale.ROOT).contains("content-type: " + Problem.MEDIA_TYPE), answer.head());
        assertTrue(answer.body().contains("\"status\":" + status), answer.body());
    }

    private void assertNothingLoggedAsAnError() {
        assertTrue(logged.isEmpty(), () -> logged.stream().map(r -> r.getLevel() + " " + r.getLoggerName() + ": "
                + r.getMessage() + " " + r.getThrown()).reduce("", (a, b) -> a + "\n" + b));
    }

    @Test
    void aChunkedBodyOverTheLimit() throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("POST /api/v1/checks HTTP/1.1\r\nHost: localhost\r\nX-API-Key: test-checker-key\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        // The start of a JSON object that never ends, so the reader keeps asking for more.
        String start = "{\"tenant\":\"";
        request.writeBytes((Integer.toHexString(start.length()) + "\r\n" + start + "\r\n").getBytes(StandardCharsets.US_ASCII));
        String chunk = "x".repeat(4096);
        for (int i = 0; i < 256; i++) {
            request.writeBytes((Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        request.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertProblem(send(request.toByteArray()), 413);
        assertNothingLoggedAsAnError();
    }

    @Test
    void aSmallChunkedBodyIsStillRead() throws IOException {
        String json = "{\"tenant\":\"contoso\",\"mailbox\":\"nobody@fabrikam.com\"}";
        String request = "POST /api/v1/checks HTTP/1.1\r\nHost: localhost\r\nX-API-Key: test-checker-key\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + Integer.toHexString(json.length()) + "\r\n" + json + "\r\n0\r\n\r\n";
        Answer answer = send(request.getBytes(StandardCharsets.US_ASCII));
        // The body was read: the answer is about the mailbox it names, not about the body.
        assertProblem(answer, answer.status());
        assertTrue(!answer.body().contains("invalid-body") && !answer.body().contains("body-too-large"), answer.body());
        assertNothingLoggedAsAnError();
    }

    @Test
    void aPathOf5000Characters() throws IOException {
        String request = "GET /api/v1/targets/" + "a".repeat(5000) + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        assertProblem(send(request.getBytes(StandardCharsets.US_ASCII)), 414);
        assertNothingLoggedAsAnError();
    }

    @Test
    void aHeaderOf60Kilobytes() throws IOException {
        String request = "GET /api/v1/targets HTTP/1.1\r\nHost: localhost\r\nX-Junk: " + "a".repeat(60 * 1024)
                + "\r\nConnection: close\r\n\r\n";
        assertProblem(send(request.getBytes(StandardCharsets.US_ASCII)), 431);
        assertNothingLoggedAsAnError();
    }
}
