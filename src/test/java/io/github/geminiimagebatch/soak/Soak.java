package io.github.geminiimagebatch.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.output.S3ProxyServer;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The service as a separate process (the packaged jar) for a long stretch against the simulator with
 * faults and a short simulated day, S3 output into S3Proxy that goes down for a while midway, and
 * prompt files arriving at random times. Checks that every item ends stored exactly once and that the
 * service's heap after GC, threads and open file descriptors stay flat. {@code bench/soak} runs it for
 * 30 minutes; {@code SoakIT} runs a short version in {@code ./mvnw verify}.
 */
public final class Soak {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BUCKET = "soak";
    /** -Xlog:gc line of the full collection jcmd GC.run asks for: "Pause Full (Diagnostic Command) 14M->6M(27M)". */
    private static final Pattern FULL_GC = Pattern.compile("Pause Full \\(Diagnostic Command\\) (\\d+)M->(\\d+)M");

    /** What to run. */
    public record Options(Duration length, int files, int maxItems, Duration outage, Duration day, String faults,
                          Duration sampleEvery, long seed, Path jar, Path work, boolean checkFlat, Duration retryFor) {

        public static Options defaults(Path jar, Path work) {
            return new Options(Duration.ofMinutes(30), 300, 50, Duration.ofMinutes(3), Duration.ofMinutes(2),
                    "503=0.05,500=0.01,reset=0.01,stall=0.005,truncate=0.01,malformed=0.01", Duration.ofSeconds(10),
                    1, jar, work, true, Duration.ofSeconds(15));
        }
    }

    /** One reading of the service process. */
    public record Sample(double minute, long heapAfterGcKb, int threads, int fds) {
    }

    /** What came out. */
    public record Result(int files, int filesDone, int items, int itemsStored, int itemsMissing, long billed,
                         long paidButLost, long filesReadAgain, List<Sample> samples, int exitCode,
                         List<String> problems) {

        public boolean ok() {
            return problems.isEmpty();
        }

        public double growth(java.util.function.ToDoubleFunction<Sample> metric) {
            if (samples.isEmpty()) {
                return 0;
            }
            int third = Math.max(1, samples.size() / 3);
            double first = samples.subList(0, third).stream().mapToDouble(metric).average().orElse(0);
            double last = samples.subList(samples.size() - third, samples.size()).stream().mapToDouble(metric).average().orElse(0);
            return first == 0 ? 0 : (last - first) / first;
        }

        public String summary() {
            return String.format(Locale.ROOT, "files %d, in .done %d, read again for pending items %d times;"
                            + " items %d, stored %d, missing %d; billed %d"
                            + " (items + %d paid-but-lost answers (truncate/malformed)); exit %d%n"
                            + "heap after GC  first third %.0f KB, last third %.0f KB (%+.1f%%)%n"
                            + "threads        first third %.1f, last third %.1f (%+.1f%%)%n"
                            + "open FDs       first third %.1f, last third %.1f (%+.1f%%)%n%s",
                    files, filesDone, filesReadAgain, items, itemsStored, itemsMissing, billed, paidButLost, exitCode,
                    third(true, Sample::heapAfterGcKb), third(false, Sample::heapAfterGcKb), 100 * growth(Sample::heapAfterGcKb),
                    third(true, Sample::threads), third(false, Sample::threads), 100 * growth(Sample::threads),
                    third(true, Sample::fds), third(false, Sample::fds), 100 * growth(Sample::fds),
                    problems.isEmpty() ? "PASS" : "FAIL: " + String.join("; ", problems));
        }

        private double third(boolean first, java.util.function.ToDoubleFunction<Sample> metric) {
            if (samples.isEmpty()) {
                return 0;
            }
            int third = Math.max(1, samples.size() / 3);
            List<Sample> part = first ? samples.subList(0, third) : samples.subList(samples.size() - third, samples.size());
            return part.stream().mapToDouble(metric).average().orElse(0);
        }
    }

    private final Options options;
    private final Random random;
    private final int concurrency = 8;

    public Soak(Options options) {
        this.options = options;
        this.random = new Random(options.seed());
    }

    public Result run() throws Exception {
        Path inbox = Files.createDirectories(options.work().resolve("inbox"));
        Path outbox = Files.createDirectories(options.work().resolve("outbox"));
        Path log = options.work().resolve("service.log");
        SimulatorOptions simulatorOptions = SimulatorOptions.builder().port(0).latency(150, 100)
                .faults(options.faults()).day(options.day()).seed(options.seed()).stallMillis(30_000).build();
        try (GeminiSimulator simulator = GeminiSimulator.start(simulatorOptions);
             S3ProxyServer store = S3ProxyServer.start(BUCKET)) {
            List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx256m", "-Xlog:gc:file=" + gcLog()));
            Path install = options.jar().toAbsolutePath().getParent();
            if (Files.isDirectory(install.resolve("routes"))) {
                // a private install (bench/soak): its own routes and config, whatever happens to the project meanwhile
                command.add("-Dimagegen.home=" + install);
            }
            command.addAll(List.of("-jar", options.jar().toString(),
                    "--inbox", inbox.toString(), "--outbox", outbox.toString(), "--provider", "simulator",
                    "--set", "imagegen.provider.simulator.baseUrl=" + simulator.baseUri(),
                    "--set", "imagegen.provider.simulator.maxConcurrency=" + concurrency,
                    "--set", "imagegen.concurrency=" + concurrency,
                    "--set", "imagegen.http.responseTimeout=10s",
                    "--set", "imagegen.inbox.stableMillis=200",
                    "--set", "imagegen.inbox.pollDelayMillis=500",
                    "--set", "imagegen.progress.interval=1m",
                    "--set", "imagegen.output.s3.enabled=true",
                    "--set", "imagegen.output.s3.bucket=" + BUCKET,
                    "--set", "imagegen.output.s3.endpoint=" + store.endpoint(),
                    "--set", "imagegen.output.s3.pathStyle=true",
                    "--set", "imagegen.output.s3.checksum=when_required",
                    "--set", "imagegen.output.retryFor=" + options.retryFor().toMillis() + "ms",
                    "--set", "imagegen.pending.retryAfter=1m",
                    "--set", "imagegen.pending.retryAfterMax=4m",
                    "--set", "imagegen.pending.checkInterval=2s",
                    "--set", "camel.management.port=" + freePort()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("IMAGEGEN_OUTPUT_S3_ACCESSKEY", S3ProxyServer.ACCESS_KEY);
            builder.environment().put("IMAGEGEN_OUTPUT_S3_SECRETKEY", S3ProxyServer.SECRET_KEY);
            Process service = builder.start();
            try {
                return drive(service, simulator, store, inbox, outbox);
            } finally {
                service.destroy();
                if (!service.waitFor(60, TimeUnit.SECONDS)) {
                    service.destroyForcibly();
                }
            }
        }
    }

    private Result drive(Process service, GeminiSimulator simulator, S3ProxyServer store, Path inbox, Path outbox)
            throws Exception {
        long start = System.nanoTime();
        long length = options.length().toNanos();
        // files arrive until the last tenth, so the first and the last third both run under load
        long arrivalsEnd = length * 90 / 100;
        long[] arrivals = new long[options.files()];
        for (int i = 0; i < arrivals.length; i++) {
            arrivals[i] = (long) (random.nextDouble() * arrivalsEnd);
        }
        java.util.Arrays.sort(arrivals);
        long outageStart = length / 2 - options.outage().toNanos() / 2;
        long outageEnd = outageStart + options.outage().toNanos();
        // Flatness compares like with like: the service under load, while files arrive. The first two
        // minutes (at most a quarter of a short run) fill thread pools, connection pools and the JIT (an
        // 8-minute run measured 40-52 open FDs in its second minute, 37-43 later); after the last file the
        // service drains and idles, and idle HTTP connections close (a 30-minute run measured 40 open FDs
        // under load and 28 idle): neither is measured.
        long warmUp = Math.min(Duration.ofMinutes(2).toNanos(), length / 4);
        long lastArrival = arrivals.length == 0 ? arrivalsEnd : arrivals[arrivals.length - 1];
        boolean storeDown = false;
        boolean outageDone = false;
        int dropped = 0;
        int items = 0;
        List<Sample> samples = new ArrayList<>();
        long nextSample = 0;
        List<String> problems = new ArrayList<>();
        while (System.nanoTime() - start < length) {
            long now = System.nanoTime() - start;
            if (!service.isAlive()) {
                problems.add("the service ended early with exit code " + service.exitValue() + "; its log ends: "
                        + logTail(options.work().resolve("service.log")));
                break;
            }
            while (dropped < arrivals.length && arrivals[dropped] <= now) {
                items += drop(inbox, dropped + 1);
                dropped++;
            }
            if (!storeDown && !outageDone && now >= outageStart) {
                store.stop();
                storeDown = true;
                // the next file arrives now, so the outage always meets items to store: a short run's few
                // random arrivals could leave it idle, and its items must then wait pending and be read again
                if (dropped < arrivals.length) {
                    items += drop(inbox, dropped + 1);
                    dropped++;
                }
            } else if (storeDown && now >= outageEnd) {
                store.start();
                storeDown = false;
                outageDone = true;
            }
            if (now >= nextSample && now >= warmUp && now <= lastArrival) {
                samples.add(sample(service.pid(), now, gcLog()));
                nextSample = now + options.sampleEvery().toNanos();
            }
            Thread.sleep(200);
        }
        if (storeDown) {
            store.start();
        }
        while (dropped < arrivals.length) {
            items += drop(inbox, ++dropped);
        }
        return verify(service, simulator, store, inbox, outbox, dropped, items, samples, problems);
    }

    private static String logTail(Path log) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
    }

    private Path gcLog() {
        return options.work().resolve("gc.log");
    }

    private int drop(Path inbox, int number) throws IOException {
        int count = 1 + random.nextInt(options.maxItems());
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            text.append("soak file ").append(number).append(" picture ").append(i).append('\n');
        }
        String name = String.format(Locale.ROOT, "soak-%03d.txt", number);
        Path staged = inbox.getParent().resolve(name + ".part");
        Files.writeString(staged, text, StandardCharsets.UTF_8);
        Files.move(staged, inbox.resolve(name));
        return count;
    }

    private Result verify(Process service, GeminiSimulator simulator, S3ProxyServer store, Path inbox, Path outbox,
                          int files, int items, List<Sample> samples, List<String> problems) throws Exception {
        long settleUntil = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (doneFiles(inbox) < files && System.nanoTime() < settleUntil && service.isAlive()) {
            Thread.sleep(500);
        }
        service.destroy();
        int exit = service.waitFor(60, TimeUnit.SECONDS) ? service.exitValue() : -1;
        int filesDone = doneFiles(inbox);
        if (filesDone != files) {
            problems.add((files - filesDone) + " prompt file(s) not in .done/");
        }
        Set<String> keys = new HashSet<>();
        String marker = null;
        do {
            ListContainerOptions page = ListContainerOptions.Builder.recursive();
            if (marker != null) {
                page.afterMarker(marker);
            }
            PageSet<? extends StorageMetadata> listed = store.blobStore().list(BUCKET, page);
            listed.forEach(m -> keys.add(m.getName()));
            marker = listed.getNextMarker();
        } while (marker != null);
        int stored = 0;
        int missing = 0;
        for (int f = 1; f <= files; f++) {
            String batch = String.format(Locale.ROOT, "soak-%03d", f);
            Path manifest = outbox.resolve(batch).resolve("manifest.jsonl");
            List<String> lines = Files.exists(manifest) ? Files.readAllLines(manifest) : List.of();
            for (String line : lines) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode item = JSON.readTree(line);
                String status = item.path("status").asText();
                String image = batch + "/" + item.path("id").asText() + ".png";
                if ((status.equals("ok") || status.equals("skipped")) && keys.contains(image)
                        && Files.exists(outbox.resolve(image))) {
                    stored++;
                } else {
                    missing++;
                }
            }
        }
        if (stored != items) {
            problems.add(stored + " of " + items + " items stored in the bucket and the outbox");
        }
        JsonNode stats = simulator.stats();
        long billed = stats.path("imagesBilled").asLong();
        long lost = stats.path("faults").path("truncate").asLong() + stats.path("faults").path("malformed").asLong();
        // an answer paid for while S3 was down is kept (outbox/.state/unstored) and stored from there: not paid again
        if (billed < stored || billed > items + lost) {
            problems.add("billed " + billed + " images for " + items + " items (allowed up to " + (items + lost) + ")");
        }
        long readAgain;
        try (Stream<String> log = Files.lines(options.work().resolve("service.log"))) {
            readAgain = log.filter(line -> line.contains("again for its pending items")).count();
        }
        Result result = new Result(files, filesDone, items, stored, missing, billed, lost, readAgain, samples,
                exit, problems);
        return options.checkFlat() ? flat(result) : result;
    }

    /**
     * Heap after GC, threads and FDs of the last third within 10% of the first third (either way), of the
     * samples taken under load (from the end of the 2-minute warm-up to the last file's arrival).
     */
    private static Result flat(Result result) {
        List<String> problems = new ArrayList<>(result.problems());
        if (result.samples().size() < 6) {
            problems.add("only " + result.samples().size() + " samples");
        } else {
            check(problems, "heap after GC", result.growth(Sample::heapAfterGcKb));
            check(problems, "threads", result.growth(Sample::threads));
            check(problems, "open FDs", result.growth(Sample::fds));
        }
        return new Result(result.files(), result.filesDone(), result.items(), result.itemsStored(), result.itemsMissing(),
                result.billed(), result.paidButLost(), result.filesReadAgain(), result.samples(),
                result.exitCode(), problems);
    }

    private static void check(List<String> problems, String what, double growth) {
        if (Math.abs(growth) > 0.10) {
            problems.add(String.format(Locale.ROOT, "%s changed %+.1f%% from the first to the last third", what, 100 * growth));
        }
    }

    private static int doneFiles(Path inbox) throws IOException {
        Path done = inbox.resolve(".done");
        if (!Files.isDirectory(done)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(done)) {
            return (int) files.count();
        }
    }

    /** Heap used right after a full GC (jcmd GC.run, read from the GC log), threads and open file descriptors (/proc). */
    private static Sample sample(long pid, long atNanos, Path gcLog) throws Exception {
        jcmd(pid, "GC.run");
        long heapKb = -1;
        Matcher full = FULL_GC.matcher(Files.exists(gcLog) ? Files.readString(gcLog) : "");
        while (full.find()) {
            heapKb = Long.parseLong(full.group(2)) * 1024;
        }
        int threads = -1;
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("Threads:")) {
                threads = Integer.parseInt(line.substring(8).trim());
            }
        }
        int fds;
        try (Stream<Path> open = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            fds = (int) open.count();
        }
        return new Sample(atNanos / 60e9, heapKb, threads, fds);
    }

    private static String jcmd(long pid, String command) throws Exception {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    /** {@code Soak JAR WORK [MINUTES [FILES [OUTAGE_MINUTES [DAY [FAULTS]]]]]}: prints the samples and the result. */
    public static void main(String[] args) throws Exception {
        Options d = Options.defaults(Path.of(args[0]), Path.of(args[1]));
        Options o = new Options(
                args.length > 2 ? Duration.ofSeconds((long) (Double.parseDouble(args[2]) * 60)) : d.length(),
                args.length > 3 ? Integer.parseInt(args[3]) : d.files(), d.maxItems(),
                args.length > 4 ? Duration.ofSeconds((long) (Double.parseDouble(args[4]) * 60)) : d.outage(),
                args.length > 5 ? io.github.geminiimagebatch.config.Settings.parseDuration(args[5]).orElseThrow() : d.day(),
                args.length > 6 ? args[6] : d.faults(), d.sampleEvery(), d.seed(), d.jar(), d.work(), true, d.retryFor());
        System.out.printf(Locale.ROOT, "soak: %s, %d files of 1-%d items, S3 down %s midway, day %s, faults %s%n",
                o.length(), o.files(), o.maxItems(), o.outage(), o.day(), o.faults());
        Result result = new Soak(o).run();
        System.out.println("minute  heapAfterGC(KB)  threads  fds");
        for (Sample s : result.samples()) {
            System.out.printf(Locale.ROOT, "%6.1f  %15d  %7d  %4d%n", s.minute(), s.heapAfterGcKb(), s.threads(), s.fds());
        }
        System.out.println(result.summary());
        System.exit(result.ok() ? 0 : 1);
    }
}
