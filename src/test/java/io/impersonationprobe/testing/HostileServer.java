package io.impersonationprobe.testing;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

/**
 * A server on a free loopback port that answers as an attacker would, over raw sockets so that it can break HTTP
 * itself: the first path segment of each request names the answer ({@code /endless-headers/EWS/Exchange.asmx}, or
 * for a token endpoint the directory: {@code /token-500/oauth2/v2.0/token}). Requests are counted per answer, so a
 * test can assert that a server was never contacted.
 */
public final class HostileServer implements AutoCloseable {
    /** Writes one hostile answer to a connection. */
    @FunctionalInterface
    public interface Answer {
        void write(OutputStream out) throws IOException, InterruptedException;
    }

    /**
     * An EWS GetFolder answer granting access, as Exchange shapes it: what a server at a redirect's Location would say
     * to make a followed redirect a false OK.
     */
    public static final String GET_FOLDER_NO_ERROR = "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
            + "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Header>"
            + "<h:ServerVersionInfo MajorVersion=\"15\" MinorVersion=\"20\" MajorBuildNumber=\"8\" MinorBuildNumber=\"0\" "
            + "xmlns:h=\"http://schemas.microsoft.com/exchange/services/2006/types\"/></s:Header><s:Body>"
            + "<m:GetFolderResponse xmlns:m=\"http://schemas.microsoft.com/exchange/services/2006/messages\" "
            + "xmlns:t=\"http://schemas.microsoft.com/exchange/services/2006/types\"><m:ResponseMessages>"
            + "<m:GetFolderResponseMessage ResponseClass=\"Success\"><m:ResponseCode>NoError</m:ResponseCode><m:Folders>"
            + "<t:Folder><t:FolderId Id=\"AAMkAGI2TG93AAA=\" ChangeKey=\"AQAAABYAAAA=\"/></t:Folder></m:Folders>"
            + "</m:GetFolderResponseMessage></m:ResponseMessages></m:GetFolderResponse></s:Body></s:Envelope>";

    /** How long an endless answer keeps writing if the client never gives up: far beyond any probe's deadline. */
    private static final long ENDLESS_MILLIS = 120_000;

    private final ServerSocket socket;
    private final ExecutorService connections = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "hostile-server");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    private final String scheme;

    public HostileServer() throws IOException {
        this(null);
    }

    /** @param tls the server's key for https, or null for plain http */
    public HostileServer(SSLContext tls) throws IOException {
        socket = tls == null ? new ServerSocket(0, 200, InetAddress.getLoopbackAddress())
                : tls.getServerSocketFactory().createServerSocket(0, 200, InetAddress.getLoopbackAddress());
        scheme = tls == null ? "http" : "https";
        connections.execute(this::accept);
    }

    /** Answers requests whose first path segment is {@code name}. */
    public HostileServer on(String name, Answer answer) {
        answers.put(name, answer);
        return this;
    }

    public int port() {
        return socket.getLocalPort();
    }

    /** {@code http://127.0.0.1:port/name} followed by {@code path}. */
    public String url(String name, String path) {
        return scheme + "://127.0.0.1:" + port() + "/" + name + path;
    }

    /** The origin alone, for a token endpoint override (the directory becomes the first path segment). */
    public String origin() {
        return scheme + "://127.0.0.1:" + port();
    }

    /** Requests received for an answer so far. */
    public int requests(String name) {
        AtomicInteger count = requests.get(name);
        return count == null ? 0 : count.get();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                connections.execute(() -> serve(connection));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket connection) {
        try (connection; InputStream in = connection.getInputStream(); OutputStream out = connection.getOutputStream()) {
            String head = readHead(in);
            String target = head.split(" ", 3)[1];
            String name = target.replaceFirst("^/", "").split("[/?]", 2)[0];
            long length = 0;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Long.parseLong(line.substring(15).strip());
                }
            }
            in.readNBytes((int) Math.min(length, 1 << 20));
            requests.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
            Answer answer = answers.getOrDefault(name, HostileServer::notFound);
            answer.write(out);
            out.flush();
        } catch (IOException | RuntimeException clientGaveUp) {
            // The client stopped reading, which is what a bounded client does.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && head.size() < 65536) {
            head.write(b);
            byte[] bytes = head.toByteArray();
            int n = bytes.length;
            if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n') {
                break;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static void notFound(OutputStream out) throws IOException {
        out.write(ascii("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
    }

    /** A complete answer with a Content-Length. */
    public static Answer plain(int status, String contentType, byte[] body, String... headers) {
        return out -> {
            StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(" Hostile\r\n");
            if (contentType != null) {
                head.append("Content-Type: ").append(contentType).append("\r\n");
            }
            for (String header : headers) {
                head.append(header).append("\r\n");
            }
            head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
            out.write(ascii(head.toString()));
            out.write(body);
        };
    }

    public static Answer plain(int status, String contentType, String body, String... headers) {
        return plain(status, contentType, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** Bytes without a line break, from the first byte on: the status line never ends. */
    public static Answer endlessStatusLine() {
        return out -> endless(out, new byte[0], filled('A'));
    }

    /** A status line, then header lines for ever. */
    public static Answer endlessHeaderLines() {
        return out -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"));
            byte[] line = ascii("X-Padding: " + "p".repeat(100) + "\r\n");
            byte[] lines = new byte[line.length * 64];
            for (int i = 0; i < 64; i++) {
                System.arraycopy(line, 0, lines, i * line.length, line.length);
            }
            endless(out, new byte[0], lines);
        };
    }

    /** A status line, then one header line that never ends. */
    public static Answer endlessHeaderLine() {
        return out -> endless(out, ascii("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nX-Endless: "), filled('h'));
    }

    /** A chunked body that never ends. */
    public static Answer endlessChunkedBody(String contentType, String start) {
        return out -> {
            byte[] chunk = filled('b');
            byte[] framed = new byte[chunk.length + 10];
            byte[] size = ascii(Integer.toHexString(chunk.length) + "\r\n");
            System.arraycopy(size, 0, framed, 0, size.length);
            System.arraycopy(chunk, 0, framed, size.length, chunk.length);
            framed[size.length + chunk.length] = '\r';
            framed[size.length + chunk.length + 1] = '\n';
            byte[] first = ascii(Integer.toHexString(start.length()) + "\r\n" + start + "\r\n");
            endless(out, concat(ascii("HTTP/1.1 200 OK\r\nContent-Type: " + contentType
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n"), first), Arrays.copyOf(framed, size.length + chunk.length + 2));
        };
    }

    /** {@code Content-Encoding: gzip}: about 1 MB that inflates to 1 GiB of one repeated character. */
    public static Answer gzipBomb(char filler) {
        byte[] bomb = gzipBombBytes(filler);
        return plain(200, "text/xml; charset=utf-8", bomb, "Content-Encoding: gzip");
    }

    /** A redirect to {@code location}. */
    public static Answer redirect(int status, String location) {
        return plain(status, "text/html", "<a href=\"" + location + "\">moved</a>", "Location: " + location);
    }

    /** Waits, then answers. */
    public static Answer slow(long millis, Answer then) {
        return out -> {
            Thread.sleep(millis);
            then.write(out);
        };
    }

    private static void endless(OutputStream out, byte[] start, byte[] repeated) throws IOException {
        out.write(start);
        long until = System.currentTimeMillis() + ENDLESS_MILLIS;
        while (System.currentTimeMillis() < until) {
            out.write(repeated);
        }
    }

    private static final Map<Character, byte[]> BOMBS = new ConcurrentHashMap<>();

    /** Gzip members may be concatenated: one member of 1 MiB inflated, repeated 1024 times. */
    static byte[] gzipBombBytes(char filler) {
        return BOMBS.computeIfAbsent(filler, f -> {
            try {
                ByteArrayOutputStream member = new ByteArrayOutputStream();
                try (GZIPOutputStream gzip = new GZIPOutputStream(member)) {
                    byte[] mib = new byte[1 << 20];
                    Arrays.fill(mib, (byte) (char) f);
                    gzip.write(mib);
                }
                byte[] one = member.toByteArray();
                byte[] all = new byte[one.length * 1024];
                for (int i = 0; i < 1024; i++) {
                    System.arraycopy(one, 0, all, i * one.length, one.length);
                }
                return all;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static byte[] filled(char c) {
        byte[] bytes = new byte[8192];
        Arrays.fill(bytes, (byte) c);
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    public static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
        connections.shutdownNow();
    }
}
