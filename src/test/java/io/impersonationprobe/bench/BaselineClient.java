package io.impersonationprobe.bench;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The baseline the daemon is measured against: a bare JDK {@link HttpClient} sending the same SOAP request the daemon
 * sent (captured by the simulator), with the same headers, to the same simulator, at the same concurrency, from
 * {@code C} threads that each wait for their answer as the daemon's probe threads do. It reads each answer and checks
 * it says Success, and does nothing else. It runs in its own JVM, so its process CPU time is its own.
 *
 * <p>Arguments: {@code simulatorPort requestFile mailboxInRequest mailboxPrefixes n concurrency warmup}, where
 * {@code mailboxPrefixes} lists one prefix per tenant (comma-separated): each tenant gets its own C threads over its
 * own N mailboxes, all tenants at once, as the daemon runs them. Prints one line {@code BASELINE wallMillis=…
 * cpuMillis=… ok=… failed=… threads=… heapBytes=…} for the measured run (after the warm-up requests): wall time of
 * the whole round, CPU time, the peak thread count and the heap in use after a full GC.
 */
public final class BaselineClient {
    /** Headers the JDK client sets itself and refuses to take from the caller. */
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade",
            "authorization", "x-anchormailbox", "keep-alive");

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        List<String> lines = Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8);
        String mailboxInRequest = args[2];
        List<String> prefixes = List.of(args[3].split(","));
        int n = Integer.parseInt(args[4]);
        int concurrency = Integer.parseInt(args[5]);
        int warmup = Integer.parseInt(args[6]);
        // The request file: header lines "Name: value", a blank line, then the body.
        List<String[]> headers = new ArrayList<>();
        int blank = lines.indexOf("");
        for (String line : lines.subList(0, blank)) {
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).strip();
            if (!RESTRICTED.contains(name.toLowerCase())) {
                headers.add(new String[]{name, line.substring(colon + 1).strip()});
            }
        }
        String body = String.join("\n", lines.subList(blank + 1, lines.size()));
        String base = "http://127.0.0.1:" + port;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        String token = token(client, base);
        URI ews = URI.create(base + "/EWS/Exchange.asmx");

        run(client, ews, headers, body, mailboxInRequest, prefixes, warmup, n, concurrency, token);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        int[] result = run(client, ews, headers, body, mailboxInRequest, prefixes, n, n, concurrency, token);
        long wall = System.nanoTime() - t0;
        long cpu = os.getProcessCpuTime() - cpu0;
        int threads = ManagementFactory.getThreadMXBean().getPeakThreadCount();
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf("BASELINE wallMillis=%d cpuMillis=%d ok=%d failed=%d threads=%d heapBytes=%d%n",
                wall / 1_000_000, cpu / 1_000_000, result[0], result[1], threads, heap);
    }

    private static int[] run(HttpClient client, URI ews, List<String[]> headers, String body, String mailboxInRequest,
                             List<String> prefixes, int requests, int mailboxes, int concurrency, String token)
            throws InterruptedException {
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (String prefix : prefixes) {
            AtomicInteger next = new AtomicInteger();
            for (int t = 0; t < concurrency; t++) {
                Thread thread = new Thread(() -> {
                    // Warm-up runs over the mailboxes more than once, as the daemon's warm-up cycles do.
                    for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
                        String mailbox = String.format("%s%06d@contoso.com", prefix, i % mailboxes);
                        HttpRequest.Builder request = HttpRequest.newBuilder(ews).timeout(Duration.ofSeconds(20))
                                .POST(HttpRequest.BodyPublishers.ofString(body.replace(mailboxInRequest, mailbox)))
                                .header("Authorization", "Bearer " + token)
                                .header("X-AnchorMailbox", mailbox);
                        headers.forEach(h -> request.header(h[0], h[1]));
                        try {
                            HttpResponse<String> response = client.send(request.build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (response.statusCode() == 200 && response.body().contains("ResponseClass=\"Success\"")) {
                                ok.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                            }
                        } catch (Exception e) {
                            failed.incrementAndGet();
                        }
                    }
                }, "baseline-" + prefix + "-" + t);
                thread.start();
                threads.add(thread);
            }
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return new int[]{ok.get(), failed.get()};
    }

    private static String token(HttpClient client, String base) throws Exception {
        String form = "grant_type=client_credentials&client_id=" + Benchmark.APP_ID
                + "&client_secret=" + URLEncoder.encode(Benchmark.APP_SECRET, StandardCharsets.UTF_8)
                + "&scope=" + URLEncoder.encode("https://outlook.office365.com/.default", StandardCharsets.UTF_8);
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + "/"
                        + Benchmark.DIRECTORY + "/oauth2/v2.0/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"").matcher(response.body());
        if (!m.find()) {
            throw new IllegalStateException("no token: " + response.statusCode() + " " + response.body());
        }
        return m.group(1);
    }
}
