package io.github.geminiimagebatch.simulator;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code gemini-image-batch simulator}: runs the Gemini simulator in the foreground until Ctrl-C / SIGTERM. */
@Command(name = "simulator", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs a local Gemini simulator: AI Studio, Vertex AI (with an OAuth2 /token endpoint) and OpenRouter"
                + " endpoints with Google's quotas, 429 bodies, faults and real placeholder images of the documented sizes."
                + " GET /sim/stats shows what was requested and billed; prompt markers like [sim:503x2] force outcomes"
                + " (see docs/simulator.md). Stops on Ctrl-C or SIGTERM.")
public final class SimulatorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8089", description = "TCP port (0 picks a free one). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1", description = "Address to listen on. Default: ${DEFAULT-VALUE} (loopback only).")
    String bindAddress;

    @Option(names = "--rpm", paramLabel = "N", description = "Requests per minute per model (sliding window). Default: unlimited.")
    Long requestsPerMinute;

    @Option(names = "--rpd", paramLabel = "N", description = "Requests per day per model. Default: unlimited.")
    Long requestsPerDay;

    @Option(names = "--ipm", paramLabel = "N", description = "Images per minute per model (sliding window). Default: unlimited.")
    Long imagesPerMinute;

    @Option(names = "--minute", paramLabel = "DURATION", defaultValue = "60s",
            description = "Length of the per-minute windows, e.g. 6s to test fast. Default: ${DEFAULT-VALUE}.")
    String minute;

    @Option(names = "--day", paramLabel = "DURATION",
            description = "Fixed day windows of this length from start-up (e.g. 10m). Default: the real day, ending at midnight in --reset-zone.")
    String day;

    @Option(names = "--reset-zone", paramLabel = "ZONE", defaultValue = "America/Los_Angeles",
            description = "Time zone whose midnight ends the day. Default: ${DEFAULT-VALUE} (Google's).")
    String resetZone;

    @Option(names = "--quota-style", paramLabel = "detailed|bare", defaultValue = "detailed",
            description = "AI Studio 429 body: detailed (QuotaFailure + RetryInfo) or bare (no details). Default: ${DEFAULT-VALUE}.")
    String quotaStyle;

    @Option(names = "--latency-ms", paramLabel = "N[,JITTER]", defaultValue = "0",
            description = "Time to answer an admitted request, with optional uniform jitter: 300,50 = 250..350 ms. Default: ${DEFAULT-VALUE}.")
    String latency;

    @Option(names = "--slowdown", paramLabel = "FACTOR", arity = "0..1", fallbackValue = "0.1", defaultValue = "0",
            description = "Latency grows with load: latency x (1 + FACTOR x (in-flight requests - 1)). Without a value: 0.1.")
    double slowdown;

    @Option(names = "--faults", paramLabel = "KIND=RATE,...",
            description = "Inject faults by rate, e.g. 503=0.05,500=0.01,reset=0.01,stall=0.01,truncate=0.01,malformed=0.01,"
                    + "safety=0.01,no_image=0.01,text_only=0.01. Kinds: 400, 403, 429, 500, 503, reset, stall, truncate, malformed,"
                    + " safety, blocked, prohibited, no_image, text_only, error200.")
    String faults;

    @Option(names = "--outage", paramLabel = "ERROR:START+DURATION", split = ",",
            description = "Answer every generate call with one error, at once, for a while counted from start: 503:10s+10s"
                    + " is 503 from 10 s to 20 s. Errors: 500, 503, 429. Repeat or separate with commas for several.")
    List<String> outages;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed for fault draws and jitter, so runs repeat. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--stall-ms", paramLabel = "N", defaultValue = "120000",
            description = "A stalled request is dropped after this long (or when the simulator stops). Default: ${DEFAULT-VALUE}.")
    long stallMillis;

    @Option(names = "--image-mode", paramLabel = "flat|noise", defaultValue = "flat",
            description = "flat: colour bands, a few KB even at 4K. noise: incompressible pixels, realistic tens-of-MB 4K bodies. Default: ${DEFAULT-VALUE}.")
    String imageMode;

    @Option(names = "--image-format", paramLabel = "png|jpeg", defaultValue = "png",
            description = "Image encoding; jpeg is always flat. Vertex requests may ask for one with imageConfig.outputMimeType. Default: ${DEFAULT-VALUE}.")
    String imageFormat;

    @Option(names = "--thought-images", description = "gemini-3-pro-image*: add an interim image part marked \"thought\": true before the final image.")
    boolean thoughtImages;

    @Option(names = "--accept-key", paramLabel = "KEY", split = ",",
            description = "Only these API keys are valid (others get Google's API_KEY_INVALID). Default: any key. Prefer --accept-keys-file for real-looking keys.")
    List<String> acceptedKeys;

    @Option(names = "--accept-keys-file", paramLabel = "FILE", description = "File with one accepted API key per line.")
    Path acceptedKeysFile;

    @Option(names = "--models", paramLabel = "MODEL", split = ",",
            description = "Serve only these models; others answer 404 like an unknown model. Default: all of "
                    + "gemini-2.5-flash-image, gemini-3-pro-image(-preview), gemini-3.1-flash-image(-preview).")
    List<String> models;

    @Option(names = "--service-account", paramLabel = "FILE",
            description = "Service-account JSON whose key must sign /token grants; Vertex then requires tokens issued here. Default: any bearer token.")
    Path serviceAccountFile;

    @Option(names = "--batch-turnaround", paramLabel = "DURATION", defaultValue = "10s",
            description = "Time from creating a Batch API job to its end (half PENDING, half RUNNING). Default: ${DEFAULT-VALUE}.")
    String batchTurnaround;

    @Option(names = "--batch-faults", paramLabel = "KIND=RATE,...",
            description = "Batch jobs that end badly instead of SUCCEEDED, e.g. failed=0.1,expired=0.05. Default: none.")
    String batchFaults;

    @Option(names = "--batch-max-enqueued", paramLabel = "N",
            description = "Batch quota: requests that may wait in unfinished jobs at once; a create beyond it gets 429. Default: unlimited.")
    Long batchMaxEnqueued;

    @Option(names = "--token-ttl", paramLabel = "DURATION", defaultValue = "3600s", description = "Lifetime of issued access tokens. Default: ${DEFAULT-VALUE}.")
    String tokenTtl;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SimulatorCommand()).execute(args));
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        SimulatorOptions options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        } catch (IOException e) {
            spec.commandLine().getErr().println("The simulator could not start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        GeminiSimulator simulator;
        try {
            simulator = GeminiSimulator.start(options);
        } catch (IOException e) {
            spec.commandLine().getErr().println("The simulator could not start: " + e.getMessage());
            return 1;
        }
        Thread shutdown = new Thread(() -> {
            simulator.close();
            stopped.countDown();
        }, "gemini-simulator-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        PrintWriter out = new PrintWriter(System.out, true);
        out.println("Gemini simulator listening on " + simulator.baseUri() + " (" + options.summary() + ")");
        stopped.await();
        return 0;
    }

    /** The options these flags describe. */
    SimulatorOptions options() throws IOException {
        SimulatorOptions.Builder builder = SimulatorOptions.builder()
                .bindAddress(bindAddress)
                .port(port)
                .minute(DurationText.parse(minute))
                .day(day == null ? null : DurationText.parse(day))
                .resetZone(zone(resetZone))
                .quotaStyle(enumValue(QuotaStyle.class, "--quota-style", quotaStyle))
                .slowdown(slowdown)
                .faults(faults)
                .outages(outages == null ? "" : String.join(",", outages))
                .seed(seed)
                .stallMillis(stallMillis)
                .imageMode(enumValue(ImageMode.class, "--image-mode", imageMode))
                .imageFormat(enumValue(ImageFormat.class, "--image-format", imageFormat))
                .thoughtImages(thoughtImages)
                .serviceAccountFile(serviceAccountFile)
                .tokenTtl(DurationText.parse(tokenTtl))
                .batchTurnaround(DurationText.parse(batchTurnaround))
                .batchFaults(batchFaults);
        if (batchMaxEnqueued != null) {
            builder.batchMaxEnqueued(batchMaxEnqueued);
        }
        if (requestsPerMinute != null) {
            builder.rpm(requestsPerMinute);
        }
        if (requestsPerDay != null) {
            builder.rpd(requestsPerDay);
        }
        if (imagesPerMinute != null) {
            builder.ipm(imagesPerMinute);
        }
        String[] latencyParts = latency.split(",", 2);
        try {
            builder.latency(Long.parseLong(latencyParts[0].trim()), latencyParts.length > 1 ? Long.parseLong(latencyParts[1].trim()) : 0);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--latency-ms takes milliseconds and an optional jitter, e.g. 300 or 300,50; got '" + latency + "'");
        }
        LinkedHashSet<String> keys = new LinkedHashSet<>();
        if (acceptedKeys != null) {
            acceptedKeys.stream().map(String::trim).filter(key -> !key.isEmpty()).forEach(keys::add);
        }
        if (acceptedKeysFile != null) {
            try {
                Files.readAllLines(acceptedKeysFile).stream().map(String::trim)
                        .filter(key -> !key.isEmpty() && !key.startsWith("#")).forEach(keys::add);
            } catch (IOException e) {
                throw new IOException("Cannot read the accepted-keys file " + acceptedKeysFile + " (" + e + ")", e);
            }
        }
        builder.acceptedKeys(keys);
        if (models != null) {
            builder.models(new LinkedHashSet<>(models));
        }
        return builder.build();
    }

    private static ZoneId zone(String zone) {
        try {
            return ZoneId.of(zone);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--reset-zone '" + zone + "' is not a time zone; use an id like America/Los_Angeles or UTC");
        }
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String option, String value) {
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equalsIgnoreCase(value.trim())) {
                return constant;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E constant : type.getEnumConstants()) {
            allowed.append(allowed.length() == 0 ? "" : ", ").append(constant.name().toLowerCase());
        }
        throw new IllegalArgumentException(option + " '" + value + "' is not one of: " + allowed);
    }
}
