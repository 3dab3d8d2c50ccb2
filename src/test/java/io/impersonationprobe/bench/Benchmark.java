package io.impersonationprobe.bench;

import io.impersonationprobe.simulator.Faults;
import io.impersonationprobe.simulator.Mailbox;
import io.impersonationprobe.simulator.Simulator;
import io.impersonationprobe.simulator.SimulatorOptions;
import io.impersonationprobe.testing.DaemonProcess;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the daemon stands against the floor of a probe cycle. A probe is one EWS round trip; with C probes in flight
 * and round-trip time r, a cycle over N mailboxes cannot take less than N·r/C.
 *
 * <p>Each scenario starts the simulated tenant in this JVM (with a fixed added EWS latency r and N generated
 * mailboxes) and the packaged daemon as its own process (the real code paths: ews-java-api, msal4j, the scheduler,
 * the metrics), lets it run warm-up cycles, then measures full cycles. The daemon's CPU time is its process's
 * (user + system, from the operating system), read at the end of the last warm-up cycle and of the last measured
 * one, so it includes everything the daemon did in between: probes, scheduling, metrics, GC and JIT. The baseline is
 * {@link BaselineClient}, also its own process, measured the same way. After the measured cycles the simulator holds
 * the next cycle (a long latency), so the daemon is idle while its heap is counted and {@code /q/metrics} is timed.
 *
 * <p>Run with {@code ./mvnw -Pbenchmark verify}; {@code -Dbench.profile=true} also records the N = 10,000, C = 27
 * scenario with Java Flight Recorder and prints where the daemon's CPU goes.
 */
public final class Benchmark {
    static final String APP_ID = "6731de76-14a6-49ae-97bc-6eba6914391e";
    static final String APP_SECRET = "simulator-demo-secret";
    static final String DIRECTORY = "contoso.onmicrosoft.com";
    private static final String PREFIX = "bench";

    private final Path work = Path.of("target", "benchmark").toAbsolutePath();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private Path capturedRequest;
    private String capturedMailbox;

    /**
     * @param warmup       cycles before measuring
     * @param measured     cycles measured
     * @param cycleFigures whether the cycle's wall time and the baseline mean something here (not at r = 0)
     * @param profile      whether to record the daemon with Java Flight Recorder
     */
    record Scenario(int n, int c, long r, int warmup, int measured, boolean cycleFigures, boolean profile) {
        double floorSeconds() {
            return n * (r / 1000.0) / c;
        }

        /** Long enough that a cycle at 1.6 times the floor ends before the next one is due; never under 5 s. */
        Duration interval() {
            return Duration.ofMillis(Math.max(5_000, (long) (floorSeconds() * 1600) + 2_000));
        }
    }

    record Result(Scenario s, double wallSeconds, double cpuMillisPerProbe, double connectionsPerCycle,
                  long tokenRequests, long liveHeapBytes, double scrapeMillis, long scrapeBytes, long serverBusy,
                  double simulatorCpuMillisPerProbe, Baseline baseline) {
    }

    record Baseline(double wallSeconds, double cpuMillisPerProbe, long connections, int failed) {
    }

    /** The demo tenant on a free port with N generated mailboxes and a fixed EWS latency, watched by a window. */
    private record Tenant(Simulator simulator, EwsWindow window) implements AutoCloseable {
        static Tenant start(Scenario s) {
            EwsWindow window = new EwsWindow();
            Simulator simulator = Simulator.start(SimulatorOptions.defaults().withEwsObserver(window));
            simulator.tenant().setFaults(Faults.none().withEwsLatency(s.r));
            return new Tenant(simulator, window);
        }

        /** Mailboxes {@code prefix000000@contoso.com} and on, in the Sales department: the demo app's scope covers them. */
        List<String> addMailboxes(String prefix, int count) {
            List<String> added = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String smtp = String.format("%s%06d@contoso.com", prefix, i);
                simulator.tenant().state().addMailbox(new Mailbox(smtp, "UserMailbox", "Sales", List.of()));
                added.add(smtp);
            }
            return added;
        }

        String url() {
            return simulator.baseUrl();
        }

        long connectionsAccepted() {
            return simulator.tenant().stats().connectionsAccepted();
        }

        long serverBusy() {
            return simulator.tenant().stats().serverBusy();
        }

        @Override
        public void close() {
            simulator.close();
        }
    }

    public static void main(String[] args) throws Exception {
        boolean profile = Boolean.getBoolean("bench.profile");
        Benchmark bench = new Benchmark();
        Files.createDirectories(bench.work);
        List<Scenario> scenarios = List.of(
                new Scenario(1_000, 8, 20, 3, 2, true, false),
                new Scenario(1_000, 27, 20, 3, 2, true, false),
                new Scenario(10_000, 8, 20, 1, 1, true, false),
                new Scenario(10_000, 27, 20, 2, 2, true, profile),
                // Memory and scrape only: no added latency, so five cycles (a full history per target) fit in time.
                new Scenario(100_000, 27, 0, 4, 1, false, false));
        Instant started = Instant.now();
        List<Result> results = new ArrayList<>();
        // -Dbench.only=10000x27,100000x27 runs only these scenarios, for profiling or a quick look.
        String only = System.getProperty("bench.only", "");
        for (Scenario scenario : scenarios) {
            if (!only.isBlank() && !List.of(only.split(",")).contains(scenario.n + "x" + scenario.c)) {
                continue;
            }
            Result result = bench.run(scenario);
            results.add(result);
            System.out.println(line(result, results));
        }
        System.out.println();
        System.out.println(table(results));
        if (only.isBlank()) {
            System.out.println(budgets(results));
        }
        System.out.printf(Locale.ROOT, "Benchmark took %d s%n", Duration.between(started, Instant.now()).toSeconds());
    }

    Result run(Scenario s) throws Exception {
        System.out.printf(Locale.ROOT, "-- N=%d C=%d r=%dms: %d warm-up + %d measured cycle(s), interval %s%n",
                s.n, s.c, s.r, s.warmup, s.measured, s.interval());
        Result daemon = runDaemon(s);
        if (!s.cycleFigures) {
            return daemon;
        }
        // A fresh tenant: the held cycle's requests still count against the app's concurrency budget in the old one.
        try (Tenant simulator = Tenant.start(s)) {
            simulator.addMailboxes(PREFIX, s.n);
            Baseline baseline = baseline(s, simulator);
            if (baseline.failed != 0 || simulator.serverBusy() != 0) {
                throw new IllegalStateException("the baseline's requests did not all succeed: " + baseline.failed
                        + " failed, " + simulator.serverBusy() + " refused as busy");
            }
            return new Result(s, daemon.wallSeconds, daemon.cpuMillisPerProbe, daemon.connectionsPerCycle,
                    daemon.tokenRequests, daemon.liveHeapBytes, daemon.scrapeMillis, daemon.scrapeBytes,
                    daemon.serverBusy, daemon.simulatorCpuMillisPerProbe, baseline);
        }
    }

    private Result runDaemon(Scenario s) throws Exception {
        try (Tenant simulator = Tenant.start(s)) {
            List<String> mailboxes = simulator.addMailboxes(PREFIX, s.n);
            Path file = work.resolve("mailboxes-" + s.n + ".txt");
            Files.write(file, mailboxes, StandardCharsets.UTF_8);
            List<String> jvm = new ArrayList<>(List.of("-Xmx1g", "-XX:+UseG1GC"));
            Path jfr = work.resolve("daemon-" + s.n + "-" + s.c + ".jfr");
            if (s.profile) {
                jvm.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,dumponexit=true");
            }
            long cpuBefore;
            long cpuAfter;
            double wall = 0;
            long connectionsBefore;
            long connectionsAfter;
            try (DaemonProcess daemon = DaemonProcess.start("bench-" + s.n + "-" + s.c,
                    daemonProperties(s, file, simulator.url()), Map.of(), Path.of(System.getProperty("daemon.jar",
                            "target/quarkus-app/quarkus-run.jar")), null, jvm)) {
                ProcessHandle process = ProcessHandle.of(daemon.pid()).orElseThrow();
                awaitAnswers(simulator, (long) s.warmup * s.n, s);
                cpuBefore = cpuNanos(process);
                long simulatorCpuBefore = cpuNanos(ProcessHandle.current());
                connectionsBefore = simulator.connectionsAccepted();
                for (int cycle = 0; cycle < s.measured; cycle++) {
                    simulator.window().open();
                    awaitAnswers(simulator, (long) (s.warmup + cycle + 1) * s.n, s);
                    wall += simulator.window().length().toNanos() / 1e9;
                }
                cpuAfter = cpuNanos(process);
                double simulatorCpu = (cpuNanos(ProcessHandle.current()) - simulatorCpuBefore) / 1e6
                        / (s.n * (double) s.measured);
                connectionsAfter = simulator.connectionsAccepted();
                // Hold the next cycle in the simulator: the daemon is idle while it is measured.
                simulator.simulator().tenant().setFaults(Faults.none().withEwsLatency(600_000));
                if (capturedRequest == null) {
                    capture(simulator);
                }
                double[] scrape = scrape(daemon);
                requireAllOk(daemon, s.n);
                long heap = liveHeap(daemon.pid(), s.n >= 100_000);
                Result result = new Result(s, wall / s.measured, (cpuAfter - cpuBefore) / 1e6 / (s.n * (double) s.measured),
                        (connectionsAfter - connectionsBefore) / (double) s.measured, simulator.simulator().tenant().stats().tokenRequests(), heap,
                        scrape[0], (long) scrape[1], simulator.serverBusy(), simulatorCpu, null);
                daemon.close();
                if (s.profile) {
                    Profile.print(jfr);
                }
                return result;
            }
        }
    }

    private Map<String, String> daemonProperties(Scenario s, Path mailboxes, String sim) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("impersonation.tenants.bench.kind", "exchange-online");
        p.put("impersonation.tenants.bench.ews-url", sim + "/EWS/Exchange.asmx");
        p.put("impersonation.tenants.bench.concurrency", String.valueOf(s.c));
        p.put("impersonation.tenants.bench.auth.directory", DIRECTORY);
        p.put("impersonation.tenants.bench.auth.client-id", APP_ID);
        p.put("impersonation.tenants.bench.auth.client-secret", APP_SECRET);
        p.put("impersonation.tenants.bench.auth.authority-url-override", sim);
        // Probes only: the control plane's polls are not part of a probe's cost.
        p.put("impersonation.tenants.bench.control-plane.enabled", "false");
        p.put("impersonation.groups.bench.tenant", "bench");
        p.put("impersonation.groups.bench.mailboxes-file", mailboxes.toString());
        p.put("impersonation.groups.bench.interval", s.interval().toMillis() + "ms");
        p.put("impersonation.scheduler.jitter", "0");
        // Long enough for the held cycle: its probes must not time out while the daemon is measured.
        p.put("impersonation.probe.timeout", "5m");
        return p;
    }

    /** Waits until the simulator has answered this many EWS requests in all. */
    private static void awaitAnswers(Tenant simulator, long count, Scenario s) throws InterruptedException {
        Instant deadline = Instant.now().plus(s.interval().multipliedBy(3)).plusSeconds(120);
        while (simulator.window().answers() < count) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("only " + simulator.window().answers() + " of " + count + " answers");
            }
            Thread.sleep(1);
        }
    }

    private static long cpuNanos(ProcessHandle process) {
        return process.info().totalCpuDuration().orElseThrow(
                () -> new IllegalStateException("the operating system does not report the daemon's CPU time")).toNanos();
    }

    /** The daemon's last EWS request as the simulator received it: the baseline sends the same bytes. */
    private void capture(Tenant simulator) throws Exception {
        String json = get(simulator.url() + "/control/ews-requests").body();
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).get(0);
        StringBuilder request = new StringBuilder();
        tree.get("headers").fields().forEachRemaining(h -> request.append(h.getKey()).append(": ")
                .append(h.getValue().asText()).append('\n'));
        capturedMailbox = tree.get("headers").get("X-AnchorMailbox").asText();
        request.append('\n').append(tree.get("body").asText());
        capturedRequest = work.resolve("ews-request.txt");
        Files.writeString(capturedRequest, request.toString(), StandardCharsets.UTF_8);
    }

    private Baseline baseline(Scenario s, Tenant simulator) throws Exception {
        long connections = simulator.connectionsAccepted();
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-XX:+UseG1GC", "-cp", System.getProperty("java.class.path"), BaselineClient.class.getName(),
                String.valueOf(simulator.simulator().port()), capturedRequest.toString(), capturedMailbox, PREFIX,
                String.valueOf(s.n), String.valueOf(s.c), String.valueOf((long) s.warmup * s.n));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException("baseline failed: " + output);
        }
        Matcher m = Pattern.compile("BASELINE wallMillis=(\\d+) cpuMillis=(\\d+) ok=(\\d+) failed=(\\d+)").matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("baseline said: " + output);
        }
        return new Baseline(Long.parseLong(m.group(1)) / 1000.0, Long.parseLong(m.group(2)) / (double) s.n,
                simulator.connectionsAccepted() - connections, Integer.parseInt(m.group(4)));
    }

    /** A cycle's figures count only if every probe found what it should: every target ok. */
    private void requireAllOk(DaemonProcess daemon, int n) throws IOException, InterruptedException {
        String metrics = get(daemon.baseUrl() + "/q/metrics").body();
        Matcher ok = Pattern.compile("(?m)^impersonation_targets\\{[^}]*state=\"ok\"[^}]*} (\\S+)").matcher(metrics);
        double count = ok.find() ? Double.parseDouble(ok.group(1)) : -1;
        if (count != n) {
            throw new IllegalStateException("the daemon reports " + count + " of " + n + " targets ok; see "
                    + daemon.log());
        }
    }

    /** One warm-up scrape, then the median of five: milliseconds and bytes. */
    private double[] scrape(DaemonProcess daemon) throws Exception {
        URI uri = URI.create(daemon.baseUrl() + "/q/metrics");
        get(uri.toString());
        double[] times = new double[5];
        long bytes = 0;
        for (int i = 0; i < times.length; i++) {
            long t0 = System.nanoTime();
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            times[i] = (System.nanoTime() - t0) / 1e6;
            bytes = response.body().length;
        }
        Arrays.sort(times);
        return new double[]{times[2], bytes};
    }

    /** Bytes of live objects: a class histogram forces a full GC first and totals what survives it. */
    private static long liveHeap(long pid, boolean showTop) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pid), "GC.class_histogram").redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor(2, TimeUnit.MINUTES);
        Matcher total = Pattern.compile("(?m)^Total\\s+(\\d+)\\s+(\\d+)").matcher(output);
        if (!total.find()) {
            throw new IllegalStateException("jcmd GC.class_histogram said: " + output.lines().limit(5).toList());
        }
        if (showTop) {
            System.out.println("Live heap by class (jcmd GC.class_histogram), top 12:");
            output.lines().filter(l -> l.matches("\\s*\\d+:.*")).limit(12).forEach(l -> System.out.println("  " + l.strip()));
        }
        return Long.parseLong(total.group(2));
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Heap per target: the growth over the N = 1,000, C = 27 run, divided by the targets added. */
    private static String heapPerTarget(Result r, List<Result> all) {
        Result reference = all.stream().filter(x -> x.s.n == 1_000 && x.s.c == 27).findFirst().orElse(null);
        if (reference == null || r.s.n <= reference.s.n) {
            return "-";
        }
        return String.valueOf((r.liveHeapBytes - reference.liveHeapBytes) / (r.s.n - reference.s.n));
    }

    static String line(Result r, List<Result> all) {
        Scenario s = r.s;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "N=%d C=%d r=%dms", s.n, s.c, s.r));
        if (s.cycleFigures) {
            line.append(String.format(Locale.ROOT, " wall=%.2fs floor=%.2fs wall/floor=%.3f cpu/probe=%.3fms "
                            + "baseline(wall=%.2fs cpu/probe=%.3fms conns=%d failed=%d) cpu daemon/baseline=%.2f "
                            + "conns/cycle=%.1f",
                    r.wallSeconds, s.floorSeconds(), r.wallSeconds / s.floorSeconds(), r.cpuMillisPerProbe,
                    r.baseline.wallSeconds, r.baseline.cpuMillisPerProbe, r.baseline.connections, r.baseline.failed,
                    r.cpuMillisPerProbe / r.baseline.cpuMillisPerProbe, r.connectionsPerCycle));
        } else {
            line.append(String.format(Locale.ROOT, " cycle=%.2fs cpu/probe=%.3fms", r.wallSeconds, r.cpuMillisPerProbe));
        }
        line.append(String.format(Locale.ROOT, " simulator cpu/probe=%.3fms", r.simulatorCpuMillisPerProbe));
        line.append(String.format(Locale.ROOT, " tokens=%d heap=%dB heap/target=%sB scrape=%.1fms/%dB serverBusy=%d",
                r.tokenRequests, r.liveHeapBytes, heapPerTarget(r, all), r.scrapeMillis, r.scrapeBytes, r.serverBusy));
        return line.toString();
    }

    static String table(List<Result> results) {
        StringBuilder t = new StringBuilder("| N | C | r | wall s | floor s | wall/floor | CPU ms/probe | baseline CPU "
                + "ms/probe | CPU daemon/baseline | connections/cycle | token requests | live heap MB | heap B/target "
                + "| scrape ms | scrape bytes |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Result r : results) {
            Scenario s = r.s;
            boolean c = s.cycleFigures;
            t.append(String.format(Locale.ROOT, "| %,d | %d | %d ms | %s | %s | %s | %.3f | %s | %s | %s | %d | %.1f | %s | %.1f | %,d |%n",
                    s.n, s.c, s.r, c ? String.format(Locale.ROOT, "%.2f", r.wallSeconds) : "-",
                    c ? String.format(Locale.ROOT, "%.2f", s.floorSeconds()) : "-",
                    c ? String.format(Locale.ROOT, "%.3f", r.wallSeconds / s.floorSeconds()) : "-",
                    r.cpuMillisPerProbe, c ? String.format(Locale.ROOT, "%.3f", r.baseline.cpuMillisPerProbe) : "-",
                    c ? String.format(Locale.ROOT, "%.2f", r.cpuMillisPerProbe / r.baseline.cpuMillisPerProbe) : "-",
                    c ? String.format(Locale.ROOT, "%.1f", r.connectionsPerCycle) : "-", r.tokenRequests,
                    r.liveHeapBytes / 1e6, heapPerTarget(r, results), r.scrapeMillis, r.scrapeBytes));
        }
        return t.toString();
    }

    static String budgets(List<Result> results) {
        StringBuilder b = new StringBuilder("Budgets:\n");
        Result big = results.stream().filter(r -> r.s.n == 10_000 && r.s.c == 27).findFirst().orElseThrow();
        double ratio = big.wallSeconds / big.s.floorSeconds();
        b.append(budget("wall/floor <= 1.15 at N=10,000 C=27 r=20ms", String.format(Locale.ROOT, "%.3f", ratio),
                ratio <= 1.15));
        double worstCpu = results.stream().filter(r -> r.s.cycleFigures)
                .mapToDouble(r -> r.cpuMillisPerProbe / r.baseline.cpuMillisPerProbe).max().orElseThrow();
        b.append(budget("CPU per probe <= 2.0 x baseline (worst scenario)", String.format(Locale.ROOT, "%.2f", worstCpu),
                worstCpu <= 2.0));
        boolean connections = results.stream().filter(r -> r.s.cycleFigures)
                .allMatch(r -> r.connectionsPerCycle <= r.s.c + 2);
        b.append(budget("connections opened per cycle <= C + 2", results.stream().filter(r -> r.s.cycleFigures)
                .map(r -> String.format(Locale.ROOT, "%.1f (C=%d)", r.connectionsPerCycle, r.s.c)).toList().toString(),
                connections));
        boolean tokens = results.stream().allMatch(r -> r.tokenRequests == 1);
        b.append(budget("token requests = 1 per tenant per token lifetime (1 h)", results.stream()
                .map(r -> String.valueOf(r.tokenRequests)).toList().toString(), tokens));
        Result huge = results.stream().filter(r -> r.s.n == 100_000).findFirst().orElseThrow();
        String perTarget = heapPerTarget(huge, results);
        b.append(budget("heap <= 4 KiB per target at N=100,000", perTarget + " B",
                !perTarget.equals("-") && Long.parseLong(perTarget) <= 4096));
        Result small = results.stream().filter(r -> r.s.n == 1_000 && r.s.c == 27).findFirst().orElseThrow();
        double timeGrowth = huge.scrapeMillis / small.scrapeMillis;
        double sizeGrowth = huge.scrapeBytes / (double) small.scrapeBytes;
        b.append(budget("scrape time and size within 20 % from N=1,000 to N=100,000 (per-mailbox series off)",
                String.format(Locale.ROOT, "time x%.2f, size x%.2f", timeGrowth, sizeGrowth),
                timeGrowth <= 1.2 && sizeGrowth <= 1.2));
        return b.toString();
    }

    private static String budget(String name, String value, boolean met) {
        return String.format(Locale.ROOT, "  %-90s %-30s %s%n", name, value, met ? "MET" : "NOT MET");
    }
}
