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
import java.util.Optional;
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
    /** No EWS answer for this long: the scenario cannot finish (the next cycle is due within one interval). */
    private static final Duration STALL = Duration.ofSeconds(90);

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
    record Scenario(int n, int c, long r, int warmup, int measured, boolean cycleFigures, boolean profile,
                    int tenants) {
        /** One tenant cycle's floor: each tenant has its own C probes in flight. */
        double floorSeconds() {
            return n * (r / 1000.0) / c;
        }

        long probesPerCycle() {
            return (long) n * tenants;
        }

        /**
         * Long enough that a cycle at 1.6 times the floor ends before the next one is due; never under 5 s. Many
         * tenants' cycles run at once on 2 cores, bound by CPU rather than by the floor: a round of them gets 30 s.
         */
        Duration interval() {
            long single = Math.max(5_000, (long) (floorSeconds() * 1600) + 2_000);
            return Duration.ofMillis(tenants == 1 ? single : Math.max(single, 30_000));
        }

        /** How -Dbench.only names it: NxC, or TxNxC with several tenants. */
        String key() {
            return (tenants == 1 ? "" : tenants + "x") + n + "x" + c;
        }

        /** The whole scenario, daemon and baseline, however slowly it progresses. */
        Duration bound() {
            return interval().multipliedBy(3L * (warmup + measured + 1)).plusMinutes(10);
        }
    }

    /**
     * A scenario's figures; NaN (or -1) where it did not get that far. {@code incomplete} says why it stopped, null
     * when it finished.
     */
    record Result(Scenario s, double wallSeconds, double cpuMillisPerProbe, double connectionsPerCycle,
                  long tokenRequests, long liveHeapBytes, double scrapeMillis, long scrapeBytes, long serverBusy,
                  double simulatorCpuMillisPerProbe, int threads, Baseline baseline, String incomplete) {
        boolean complete() {
            return incomplete == null;
        }
    }

    record Baseline(double wallSeconds, double cpuMillisPerProbe, long connections, int failed, int threads,
                    long heapBytes) {
    }

    /** What a scenario has measured so far: printed when it cannot finish. */
    static final class Progress {
        long answers;
        long expected;
        int measuredCycles;
        double wallSeconds;
        double cpuMillisPerProbe = Double.NaN;
        Baseline baseline;

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%,d of %,d EWS answers, %d measured cycle(s)%s", answers, expected,
                    measuredCycles, measuredCycles == 0 ? "" : String.format(Locale.ROOT, ", wall %.2f s per cycle",
                            wallSeconds / measuredCycles));
        }
    }

    /** The scenario stopped short: no progress for too long, or past its overall bound. */
    static final class Incomplete extends Exception {
        Incomplete(String message) {
            super(message);
        }
    }

    /** The demo tenant on a free port with N generated mailboxes and a fixed EWS latency, watched by a window. */
    private record Tenant(Simulator simulator, EwsWindow window) implements AutoCloseable {
        static Tenant start(Scenario s) {
            EwsWindow window = new EwsWindow();
            Simulator simulator = Simulator.start(SimulatorOptions.defaults().withEwsObserver(window));
            simulator.tenant().setFaults(faults(s, s.r));
            return new Tenant(simulator, window);
        }

        /**
         * The latency, and with several tenants a concurrency budget for all of them: they share the simulator's one
         * app, where in Exchange each organisation has its own budget (27 for the default policy).
         */
        static Faults faults(Scenario s, long latencyMs) {
            Faults faults = Faults.none().withEwsLatency(latencyMs);
            return s.tenants == 1 ? faults : faults.withConcurrencyBudget(s.c * s.tenants);
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
                new Scenario(1_000, 8, 20, 3, 2, true, false, 1),
                new Scenario(1_000, 27, 20, 3, 2, true, false, 1),
                new Scenario(10_000, 8, 20, 1, 1, true, false, 1),
                new Scenario(10_000, 27, 20, 2, 2, true, profile, 1),
                // Memory and scrape only: no added latency, so five cycles (a full history per target) fit in time.
                new Scenario(100_000, 27, 0, 4, 1, false, false, 1),
                // A managed-service provider: 20 tenants of 1,000 mailboxes, each with its own concurrency, at once.
                new Scenario(1_000, 8, 20, 2, 2, true, false, 20));
        Instant started = Instant.now();
        List<Result> results = new ArrayList<>();
        // -Dbench.only=10000x27,100000x27 runs only these scenarios, for profiling or a quick look.
        String only = System.getProperty("bench.only", "");
        for (Scenario scenario : scenarios) {
            if (!only.isBlank() && !List.of(only.split(",")).contains(scenario.key())) {
                continue;
            }
            Result result = bench.runOrReport(scenario);
            results.add(result);
            System.out.println(line(result, results));
        }
        System.out.println();
        System.out.println(table(results));
        System.out.println(budgets(results));
        System.out.printf(Locale.ROOT, "Benchmark took %d s%n", Duration.between(started, Instant.now()).toSeconds());
    }

    /** Runs a scenario; one that cannot finish reports what it measured instead of ending the benchmark. */
    Result runOrReport(Scenario s) {
        Progress progress = new Progress();
        try {
            return run(s, progress);
        } catch (Exception | AssertionError e) {
            String reason = e.getClass().getSimpleName() + ": " + e.getMessage();
            System.out.println("NOT MET: N=" + s.n + " C=" + s.c + " tenants=" + s.tenants + " did not finish ("
                    + reason + "); measured: " + progress);
            Baseline baseline = progress.baseline;
            return new Result(s, progress.measuredCycles == 0 ? Double.NaN : progress.wallSeconds / progress.measuredCycles,
                    progress.cpuMillisPerProbe, Double.NaN, -1, -1, Double.NaN, -1, -1, Double.NaN, -1, baseline,
                    reason + "; measured: " + progress);
        }
    }

    Result run(Scenario s, Progress progress) throws Exception {
        System.out.printf(Locale.ROOT, "-- %d tenant(s) x N=%d C=%d r=%dms: %d warm-up + %d measured cycle(s), "
                + "interval %s, bound %s%n", s.tenants, s.n, s.c, s.r, s.warmup, s.measured, s.interval(), s.bound());
        Instant bound = Instant.now().plus(s.bound());
        Result daemon = runDaemon(s, progress, bound);
        if (!s.cycleFigures) {
            return daemon;
        }
        // A fresh tenant: the held cycle's requests still count against the app's concurrency budget in the old one.
        try (Tenant simulator = Tenant.start(s)) {
            prefixes(s).forEach(prefix -> simulator.addMailboxes(prefix, s.n));
            Baseline baseline = baseline(s, simulator, bound);
            progress.baseline = baseline;
            if (baseline.failed != 0 || simulator.serverBusy() != 0) {
                throw new IllegalStateException("the baseline's requests did not all succeed: " + baseline.failed
                        + " failed, " + simulator.serverBusy() + " refused as busy");
            }
            return new Result(s, daemon.wallSeconds, daemon.cpuMillisPerProbe, daemon.connectionsPerCycle,
                    daemon.tokenRequests, daemon.liveHeapBytes, daemon.scrapeMillis, daemon.scrapeBytes,
                    daemon.serverBusy, daemon.simulatorCpuMillisPerProbe, daemon.threads, baseline, null);
        }
    }

    /** Mailbox prefixes, one per tenant. */
    private static List<String> prefixes(Scenario s) {
        List<String> prefixes = new ArrayList<>();
        for (int t = 0; t < s.tenants; t++) {
            prefixes.add(s.tenants == 1 ? PREFIX : String.format(Locale.ROOT, "%s%02dx", PREFIX, t));
        }
        return prefixes;
    }

    /** The tenant (and its group) of each prefix. */
    private static String tenantId(Scenario s, int t) {
        return s.tenants == 1 ? PREFIX : String.format(Locale.ROOT, "%s-%02d", PREFIX, t);
    }

    private Result runDaemon(Scenario s, Progress progress, Instant bound) throws Exception {
        try (Tenant simulator = Tenant.start(s)) {
            List<Path> files = new ArrayList<>();
            for (String prefix : prefixes(s)) {
                Path file = work.resolve("mailboxes-" + prefix + "-" + s.n + ".txt");
                Files.write(file, simulator.addMailboxes(prefix, s.n), StandardCharsets.UTF_8);
                files.add(file);
            }
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
            String name = s.tenants == 1 ? "bench-" + s.n + "-" + s.c : "bench-" + s.tenants + "x" + s.n + "-" + s.c;
            try (DaemonProcess daemon = DaemonProcess.start(name, daemonProperties(s, files, simulator.url()), Map.of(),
                    Path.of(System.getProperty("daemon.jar", "target/quarkus-app/quarkus-run.jar")), null, jvm)) {
                ProcessHandle process = ProcessHandle.of(daemon.pid()).orElseThrow();
                awaitAnswers(simulator, s.warmup * s.probesPerCycle(), progress, bound);
                cpuBefore = cpuNanos(process);
                long simulatorCpuBefore = cpuNanos(ProcessHandle.current());
                connectionsBefore = simulator.connectionsAccepted();
                for (int cycle = 0; cycle < s.measured; cycle++) {
                    simulator.window().open();
                    awaitAnswers(simulator, (s.warmup + cycle + 1) * s.probesPerCycle(), progress, bound);
                    wall += simulator.window().length().toNanos() / 1e9;
                    progress.measuredCycles = cycle + 1;
                    progress.wallSeconds = wall;
                    progress.cpuMillisPerProbe = (cpuNanos(process) - cpuBefore) / 1e6
                            / (s.probesPerCycle() * (double) (cycle + 1));
                }
                cpuAfter = cpuNanos(process);
                double simulatorCpu = (cpuNanos(ProcessHandle.current()) - simulatorCpuBefore) / 1e6
                        / (s.probesPerCycle() * (double) s.measured);
                connectionsAfter = simulator.connectionsAccepted();
                int threads = threads(daemon.pid());
                // Hold the next cycle in the simulator: the daemon is idle while it is measured.
                simulator.simulator().tenant().setFaults(Tenant.faults(s, 600_000));
                if (capturedRequest == null) {
                    capture(simulator);
                }
                double[] scrape = scrape(daemon);
                requireAllOk(daemon, s.probesPerCycle());
                long heap = liveHeap(daemon.pid(), s.n >= 100_000);
                Result result = new Result(s, wall / s.measured,
                        (cpuAfter - cpuBefore) / 1e6 / (s.probesPerCycle() * (double) s.measured),
                        (connectionsAfter - connectionsBefore) / (double) s.measured,
                        simulator.simulator().tenant().stats().tokenRequests(), heap, scrape[0], (long) scrape[1],
                        simulator.serverBusy(), simulatorCpu, threads, null, null);
                daemon.close();
                if (s.profile) {
                    Profile.print(jfr);
                }
                return result;
            }
        }
    }

    private Map<String, String> daemonProperties(Scenario s, List<Path> mailboxes, String sim) {
        Map<String, String> p = new LinkedHashMap<>();
        for (int t = 0; t < s.tenants; t++) {
            String tenant = "impersonation.tenants." + tenantId(s, t) + ".";
            String group = "impersonation.groups." + tenantId(s, t) + ".";
            p.put(tenant + "kind", "exchange-online");
            p.put(tenant + "ews-url", sim + "/EWS/Exchange.asmx");
            p.put(tenant + "concurrency", String.valueOf(s.c));
            p.put(tenant + "auth.directory", DIRECTORY);
            p.put(tenant + "auth.client-id", APP_ID);
            p.put(tenant + "auth.client-secret", APP_SECRET);
            p.put(tenant + "auth.authority-url-override", sim);
            // Probes only: the control plane's polls are not part of a probe's cost.
            p.put(tenant + "control-plane.enabled", "false");
            p.put(group + "tenant", tenantId(s, t));
            p.put(group + "mailboxes-file", mailboxes.get(t).toString());
            p.put(group + "interval", s.interval().toMillis() + "ms");
        }
        p.put("impersonation.scheduler.jitter", "0");
        // Long enough for the held cycle: its probes must not time out while the daemon is measured.
        p.put("impersonation.probe.timeout", "5m");
        return p;
    }

    /**
     * Waits until the simulator has answered this many EWS requests in all, for as long as answers keep coming: it
     * gives up when none came for {@link #STALL} or when the scenario's overall bound has passed.
     */
    private static void awaitAnswers(Tenant simulator, long count, Progress progress, Instant bound)
            throws InterruptedException, Incomplete {
        progress.expected = count;
        long last = simulator.window().answers();
        Instant lastProgress = Instant.now();
        while (last < count) {
            Thread.sleep(1);
            long answers = simulator.window().answers();
            Instant now = Instant.now();
            if (answers > last) {
                last = answers;
                lastProgress = now;
            }
            progress.answers = answers;
            if (now.isAfter(bound)) {
                throw new Incomplete("past the scenario's bound with " + answers + " of " + count + " answers");
            }
            if (Duration.between(lastProgress, now).compareTo(STALL) > 0) {
                throw new Incomplete("no EWS answer for " + STALL.toSeconds() + " s at " + answers + " of " + count);
            }
        }
    }

    /** The threads of a process, as Linux counts them ({@code /proc/<pid>/status}); -1 elsewhere. */
    private static int threads(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring("Threads:".length()).strip());
                }
            }
        } catch (IOException | NumberFormatException notLinux) {
            // Reported as unknown.
        }
        return -1;
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

    /** The baseline run the same way: one client per tenant, C threads each, all at once, in one process. */
    private Baseline baseline(Scenario s, Tenant simulator, Instant bound) throws Exception {
        long connections = simulator.connectionsAccepted();
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-XX:+UseG1GC", "-cp", System.getProperty("java.class.path"), BaselineClient.class.getName(),
                String.valueOf(simulator.simulator().port()), capturedRequest.toString(), capturedMailbox,
                String.join(",", prefixes(s)), String.valueOf(s.n), String.valueOf(s.c),
                String.valueOf((long) s.warmup * s.n));
        Path log = work.resolve("baseline-" + s.key() + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long waitMillis = Math.max(1_000, Duration.between(Instant.now(), bound).toMillis());
        if (!process.waitFor(waitMillis, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new Incomplete("the baseline did not finish within the scenario's bound; see " + log);
        }
        String output = Files.readString(log);
        if (process.exitValue() != 0) {
            throw new IllegalStateException("baseline failed: " + output);
        }
        Matcher m = Pattern.compile("BASELINE wallMillis=(\\d+) cpuMillis=(\\d+) ok=(\\d+) failed=(\\d+) "
                + "threads=(\\d+) heapBytes=(\\d+)").matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("baseline said: " + output);
        }
        return new Baseline(Long.parseLong(m.group(1)) / 1000.0, Long.parseLong(m.group(2)) / (double) s.probesPerCycle(),
                simulator.connectionsAccepted() - connections, Integer.parseInt(m.group(4)),
                Integer.parseInt(m.group(5)), Long.parseLong(m.group(6)));
    }

    /** A cycle's figures count only if every probe found what it should: every target of every group ok. */
    private void requireAllOk(DaemonProcess daemon, long n) throws IOException, InterruptedException {
        String metrics = get(daemon.baseUrl() + "/q/metrics").body();
        Matcher ok = Pattern.compile("(?m)^impersonation_targets\\{[^}]*state=\"ok\"[^}]*} (\\S+)").matcher(metrics);
        double count = 0;
        while (ok.find()) {
            count += Double.parseDouble(ok.group(1));
        }
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
        Result reference = find(all, 1, 1_000, 27).filter(Result::complete).orElse(null);
        if (reference == null || !r.complete() || r.s.tenants != 1 || r.s.n <= reference.s.n) {
            return "-";
        }
        return String.valueOf((r.liveHeapBytes - reference.liveHeapBytes) / (r.s.n - reference.s.n));
    }

    private static Optional<Result> find(List<Result> all, int tenants, int n, int c) {
        return all.stream().filter(r -> r.s.tenants == tenants && r.s.n == n && r.s.c == c).findFirst();
    }

    static String line(Result r, List<Result> all) {
        Scenario s = r.s;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%sN=%d C=%d r=%dms",
                s.tenants == 1 ? "" : s.tenants + " tenants x ", s.n, s.c, s.r));
        if (!r.complete()) {
            return line.append(" NOT MET, did not finish: ").append(r.incomplete).toString();
        }
        if (s.cycleFigures) {
            line.append(String.format(Locale.ROOT, " wall=%.2fs floor=%.2fs wall/floor=%.3f cpu/probe=%.3fms "
                            + "baseline(wall=%.2fs cpu/probe=%.3fms conns=%d failed=%d threads=%d heap=%dB) "
                            + "cpu daemon/baseline=%.2f conns/cycle=%.1f",
                    r.wallSeconds, s.floorSeconds(), r.wallSeconds / s.floorSeconds(), r.cpuMillisPerProbe,
                    r.baseline.wallSeconds, r.baseline.cpuMillisPerProbe, r.baseline.connections, r.baseline.failed,
                    r.baseline.threads, r.baseline.heapBytes, r.cpuMillisPerProbe / r.baseline.cpuMillisPerProbe,
                    r.connectionsPerCycle));
        } else {
            line.append(String.format(Locale.ROOT, " cycle=%.2fs cpu/probe=%.3fms", r.wallSeconds, r.cpuMillisPerProbe));
        }
        line.append(String.format(Locale.ROOT, " simulator cpu/probe=%.3fms threads=%d", r.simulatorCpuMillisPerProbe,
                r.threads));
        line.append(String.format(Locale.ROOT, " tokens=%d heap=%dB heap/target=%sB scrape=%.1fms/%dB serverBusy=%d",
                r.tokenRequests, r.liveHeapBytes, heapPerTarget(r, all), r.scrapeMillis, r.scrapeBytes, r.serverBusy));
        return line.toString();
    }

    static String table(List<Result> results) {
        if (results.stream().noneMatch(r -> r.s.tenants == 1)) {
            StringBuilder t = new StringBuilder();
            results.forEach(r -> t.append(manyTenants(r)));
            return t.toString();
        }
        StringBuilder t = new StringBuilder("| N | C | r | wall s | floor s | wall/floor | CPU ms/probe | baseline CPU "
                + "ms/probe | CPU daemon/baseline | connections/cycle | token requests | live heap MB | heap B/target "
                + "| scrape ms | scrape bytes |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Result r : results) {
            Scenario s = r.s;
            if (s.tenants != 1) {
                continue;
            }
            if (!r.complete()) {
                t.append(String.format(Locale.ROOT, "| %,d | %d | %d ms | NOT MET, did not finish: %s |%n", s.n, s.c,
                        s.r, r.incomplete));
                continue;
            }
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
        results.stream().filter(r -> r.s.tenants != 1).forEach(r -> t.append('\n').append(manyTenants(r)));
        return t.toString();
    }

    /** The many-tenants scenario beside its baseline: one round is every tenant's cycle at once. */
    static String manyTenants(Result r) {
        Scenario s = r.s;
        StringBuilder t = new StringBuilder(String.format(Locale.ROOT, "%d tenants x %,d mailboxes, C = %d each, "
                + "r = %d ms, all cycles at once (floor of a tenant cycle %.2f s)%n", s.tenants, s.n, s.c, s.r,
                s.floorSeconds()));
        if (!r.complete()) {
            return t.append("NOT MET, did not finish: ").append(r.incomplete).append('\n').toString();
        }
        Baseline b = r.baseline;
        t.append("| figure | daemon | bare-client baseline | daemon/baseline |\n|---|---|---|---|\n");
        t.append(String.format(Locale.ROOT, "| wall per tenant cycle, s (all at once) | %.2f | %.2f | %.2f |%n",
                r.wallSeconds, b.wallSeconds, r.wallSeconds / b.wallSeconds));
        t.append(String.format(Locale.ROOT, "| wall / floor | %.2f | %.2f | |%n", r.wallSeconds / s.floorSeconds(),
                b.wallSeconds / s.floorSeconds()));
        t.append(String.format(Locale.ROOT, "| CPU ms per probe | %.3f | %.3f | %.2f |%n", r.cpuMillisPerProbe,
                b.cpuMillisPerProbe, r.cpuMillisPerProbe / b.cpuMillisPerProbe));
        t.append(String.format(Locale.ROOT, "| threads (daemon: live at the end; baseline: peak) | %d | %d | |%n",
                r.threads, b.threads));
        t.append(String.format(Locale.ROOT, "| connections (daemon: opened per measured round; baseline: whole run) "
                + "| %.1f | %d | |%n", r.connectionsPerCycle, b.connections));
        t.append(String.format(Locale.ROOT, "| token requests | %d | %d | |%n", r.tokenRequests, 1));
        t.append(String.format(Locale.ROOT, "| live heap MB (after a full GC) | %.1f | %.1f | |%n",
                r.liveHeapBytes / 1e6, b.heapBytes / 1e6));
        return t.toString();
    }

    /** Each budget whose scenarios ran; one that did not finish is NOT MET. */
    static String budgets(List<Result> results) {
        StringBuilder b = new StringBuilder("Budgets:\n");
        find(results, 1, 10_000, 27).ifPresent(big -> {
            double ratio = big.wallSeconds / big.s.floorSeconds();
            b.append(budget("wall/floor <= 1.15 at N=10,000 C=27 r=20ms", figure(big, "%.3f", ratio),
                    big.complete() && ratio <= 1.15));
        });
        List<Result> cycles = results.stream().filter(r -> r.s.cycleFigures && r.s.tenants == 1).toList();
        if (!cycles.isEmpty()) {
            boolean allComplete = cycles.stream().allMatch(Result::complete);
            double worstCpu = cycles.stream().filter(Result::complete)
                    .mapToDouble(r -> r.cpuMillisPerProbe / r.baseline.cpuMillisPerProbe).max().orElse(Double.NaN);
            b.append(budget("CPU per probe <= 2.0 x baseline (worst scenario)", String.format(Locale.ROOT, "%.2f%s",
                    worstCpu, allComplete ? "" : ", a scenario did not finish"), allComplete && worstCpu <= 2.0));
            boolean connections = cycles.stream().allMatch(r -> r.complete() && r.connectionsPerCycle <= r.s.c + 2);
            b.append(budget("connections opened per cycle <= C + 2", cycles.stream()
                    .map(r -> String.format(Locale.ROOT, "%.1f (C=%d)", r.connectionsPerCycle, r.s.c)).toList()
                    .toString(), connections));
        }
        boolean tokens = results.stream().allMatch(r -> r.complete() && r.tokenRequests == r.s.tenants);
        b.append(budget("token requests = 1 per tenant per token lifetime (1 h)", results.stream()
                .map(r -> r.tokenRequests + "/" + r.s.tenants).toList().toString(), tokens));
        find(results, 1, 100_000, 27).ifPresent(huge -> {
            String perTarget = heapPerTarget(huge, results);
            b.append(budget("heap <= 4 KiB per target at N=100,000", perTarget + " B",
                    !perTarget.equals("-") && Long.parseLong(perTarget) <= 4096));
            find(results, 1, 1_000, 27).ifPresent(small -> {
                double timeGrowth = huge.scrapeMillis / small.scrapeMillis;
                double sizeGrowth = huge.scrapeBytes / (double) small.scrapeBytes;
                b.append(budget("scrape time and size within 20 % from N=1,000 to N=100,000 (per-mailbox series off)",
                        String.format(Locale.ROOT, "time x%.2f, size x%.2f", timeGrowth, sizeGrowth),
                        huge.complete() && small.complete() && timeGrowth <= 1.2 && sizeGrowth <= 1.2));
            });
        });
        results.stream().filter(r -> r.s.tenants != 1).forEach(many -> {
            boolean done = many.complete() && many.baseline != null;
            double wall = done ? many.wallSeconds / many.baseline.wallSeconds : Double.NaN;
            double cpu = done ? many.cpuMillisPerProbe / many.baseline.cpuMillisPerProbe : Double.NaN;
            String scenario = many.s.tenants + " tenants x " + many.s.n + " C=" + many.s.c;
            b.append(budget("wall per tenant cycle <= 1.2 x baseline, " + scenario, figure(many, "%.2f", wall),
                    done && wall <= 1.2));
            b.append(budget("CPU per probe <= 1.2 x baseline, " + scenario, figure(many, "%.2f", cpu),
                    done && cpu <= 1.2));
        });
        return b.toString();
    }

    private static String figure(Result r, String format, double value) {
        return r.complete() ? String.format(Locale.ROOT, format, value) : "did not finish";
    }

    private static String budget(String name, String value, boolean met) {
        return String.format(Locale.ROOT, "  %-90s %-30s %s%n", name, value, met ? "MET" : "NOT MET");
    }
}
