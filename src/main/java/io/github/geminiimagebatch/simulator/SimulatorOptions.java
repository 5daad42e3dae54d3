package io.github.geminiimagebatch.simulator;

import io.github.geminiimagebatch.model.ModelCatalog;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Everything a {@link GeminiSimulator} is configured with. Immutable; build with {@link #builder()}.
 * Unset limits are not enforced; the defaults are a loopback server on an ephemeral port, no latency,
 * no faults, flat PNG images and Google's real windows (60 s minute, day ending at midnight Pacific).
 */
public final class SimulatorOptions {

    /** Google resets daily quotas at midnight Pacific time. */
    public static final ZoneId GOOGLE_RESET_ZONE = ZoneId.of("America/Los_Angeles");

    private final String bindAddress;
    private final int port;
    private final QuotaLimits quotaLimits;
    private final QuotaStyle quotaStyle;
    private final long latencyMillis;
    private final long latencyJitterMillis;
    private final double slowdownPerInFlight;
    private final Map<FaultKind, Double> faultRates;
    private final List<Outage> outages;
    private final long seed;
    private final long stallMillis;
    private final ImageMode imageMode;
    private final ImageFormat imageFormat;
    private final boolean thoughtImages;
    private final Set<String> acceptedKeys;
    private final Path serviceAccountFile;
    private final Duration tokenTtl;
    private final Set<String> models;
    private final Duration batchTurnaround;
    private final Map<BatchJobFault, Double> batchFaultRates;
    private final long batchMaxEnqueued;
    private final Clock clock;

    private SimulatorOptions(Builder b) {
        this.bindAddress = b.bindAddress;
        this.port = b.port;
        this.quotaLimits = new QuotaLimits(b.rpm, b.rpd, b.ipm, b.minute, b.day, b.resetZone);
        this.quotaStyle = b.quotaStyle;
        this.latencyMillis = b.latencyMillis;
        this.latencyJitterMillis = b.latencyJitterMillis;
        this.slowdownPerInFlight = b.slowdownPerInFlight;
        this.faultRates = Collections.unmodifiableMap(new LinkedHashMap<>(b.faultRates));
        this.outages = List.copyOf(b.outages);
        this.seed = b.seed;
        this.stallMillis = b.stallMillis;
        this.imageMode = b.imageMode;
        this.imageFormat = b.imageFormat;
        this.thoughtImages = b.thoughtImages;
        this.acceptedKeys = Collections.unmodifiableSet(new LinkedHashSet<>(b.acceptedKeys));
        this.serviceAccountFile = b.serviceAccountFile;
        this.tokenTtl = b.tokenTtl;
        this.models = Collections.unmodifiableSet(new LinkedHashSet<>(b.models));
        this.batchTurnaround = b.batchTurnaround;
        this.batchFaultRates = Collections.unmodifiableMap(new LinkedHashMap<>(b.batchFaultRates));
        this.batchMaxEnqueued = b.batchMaxEnqueued;
        this.clock = b.clock;
    }

    public static SimulatorOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String bindAddress() { return bindAddress; }
    public int port() { return port; }
    public QuotaLimits quotaLimits() { return quotaLimits; }
    public QuotaStyle quotaStyle() { return quotaStyle; }
    public long latencyMillis() { return latencyMillis; }
    public long latencyJitterMillis() { return latencyJitterMillis; }
    public double slowdownPerInFlight() { return slowdownPerInFlight; }
    public Map<FaultKind, Double> faultRates() { return faultRates; }
    /** Time windows (from start) in which every generate call gets one error at once. */
    public List<Outage> outages() { return outages; }
    public long seed() { return seed; }
    public long stallMillis() { return stallMillis; }
    public ImageMode imageMode() { return imageMode; }
    public ImageFormat imageFormat() { return imageFormat; }
    public boolean thoughtImages() { return thoughtImages; }
    /** Keys AI Studio, Vertex express and OpenRouter endpoints accept; empty means any key. */
    public Set<String> acceptedKeys() { return acceptedKeys; }
    /** Service-account JSON whose key signs token requests; null means any bearer token is accepted. */
    public Path serviceAccountFile() { return serviceAccountFile; }
    public Duration tokenTtl() { return tokenTtl; }
    /** Model ids served (catalog ids); others are answered as unknown models. */
    public Set<String> models() { return models; }
    /** How long a batch job takes from creation to its final state (half of it PENDING, half RUNNING). */
    public Duration batchTurnaround() { return batchTurnaround; }
    Map<BatchJobFault, Double> batchFaultRates() { return batchFaultRates; }
    /** Requests that may wait in unfinished batch jobs at once; a create beyond it is answered 429. */
    public long batchMaxEnqueued() { return batchMaxEnqueued; }
    public Clock clock() { return clock; }

    /** One line naming the settings that differ from a plain, unlimited simulator. */
    public String summary() {
        StringBuilder text = new StringBuilder();
        appendLimit(text, "rpm", quotaLimits.requestsPerMinute());
        appendLimit(text, "rpd", quotaLimits.requestsPerDay());
        appendLimit(text, "ipm", quotaLimits.imagesPerMinute());
        text.append("minute=").append(DurationText.format(quotaLimits.minuteLength()));
        text.append(", day=").append(quotaLimits.dayLength() == null
                ? "midnight " + quotaLimits.resetZone() : DurationText.format(quotaLimits.dayLength()));
        text.append(", latency=").append(latencyMillis).append("ms");
        if (latencyJitterMillis > 0) {
            text.append("±").append(latencyJitterMillis).append("ms");
        }
        if (slowdownPerInFlight > 0) {
            text.append(", slowdown=").append(slowdownPerInFlight);
        }
        if (!faultRates.isEmpty()) {
            text.append(", faults=").append(rates(faultRates, FaultKind::label));
        }
        if (!outages.isEmpty()) {
            text.append(", outages=").append(outages.stream().map(Outage::toString).collect(Collectors.joining(",")));
        }
        text.append(", images=").append(imageMode.name().toLowerCase()).append(' ').append(imageFormat.name().toLowerCase());
        text.append(", quota-style=").append(quotaStyle.name().toLowerCase());
        text.append(", keys=").append(acceptedKeys.isEmpty() ? "any" : acceptedKeys.size() + " accepted");
        if (!models.equals(ModelCatalog.knownModels())) {
            text.append(", models=").append(String.join(",", models));
        }
        text.append(", batch-turnaround=").append(DurationText.format(batchTurnaround));
        if (!batchFaultRates.isEmpty()) {
            text.append(", batch-faults=").append(rates(batchFaultRates, BatchJobFault::label));
        }
        if (batchMaxEnqueued != QuotaLimits.UNLIMITED) {
            text.append(", batch-max-enqueued=").append(batchMaxEnqueued);
        }
        text.append(", vertex-auth=").append(serviceAccountFile == null ? "any bearer" : "service account");
        return text.toString();
    }

    /** {@code 503=0.05,reset=0.01}, as the flags are written. */
    private static <K> String rates(Map<K, Double> rates, Function<K, String> label) {
        return rates.entrySet().stream().map(rate -> label.apply(rate.getKey()) + "=" + rate.getValue()).collect(Collectors.joining(","));
    }

    private static void appendLimit(StringBuilder text, String name, long limit) {
        text.append(name).append('=').append(limit == QuotaLimits.UNLIMITED ? "unlimited" : Long.toString(limit)).append(", ");
    }

    public static final class Builder {
        private String bindAddress = "127.0.0.1";
        private int port;
        private long rpm = QuotaLimits.UNLIMITED;
        private long rpd = QuotaLimits.UNLIMITED;
        private long ipm = QuotaLimits.UNLIMITED;
        private Duration minute = Duration.ofSeconds(60);
        private Duration day;
        private ZoneId resetZone = GOOGLE_RESET_ZONE;
        private QuotaStyle quotaStyle = QuotaStyle.DETAILED;
        private long latencyMillis;
        private long latencyJitterMillis;
        private double slowdownPerInFlight;
        private final Map<FaultKind, Double> faultRates = new LinkedHashMap<>();
        private final List<Outage> outages = new ArrayList<>();
        private long seed = 1;
        private long stallMillis = 120_000;
        private ImageMode imageMode = ImageMode.FLAT;
        private ImageFormat imageFormat = ImageFormat.PNG;
        private boolean thoughtImages;
        private final Set<String> acceptedKeys = new LinkedHashSet<>();
        private Path serviceAccountFile;
        private Duration tokenTtl = Duration.ofHours(1);
        private final Set<String> models = new LinkedHashSet<>(ModelCatalog.knownModels());
        private Duration batchTurnaround = Duration.ofSeconds(10);
        private final Map<BatchJobFault, Double> batchFaultRates = new LinkedHashMap<>();
        private long batchMaxEnqueued = QuotaLimits.UNLIMITED;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** Address to listen on; loopback unless you mean to expose the simulator. */
        public Builder bindAddress(String bindAddress) {
            this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
            return this;
        }

        /** TCP port; 0 picks a free one (see {@link GeminiSimulator#port()}). */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("Port must be between 0 and 65535, got " + port);
            }
            this.port = port;
            return this;
        }

        public Builder rpm(long requestsPerMinute) {
            this.rpm = requestsPerMinute;
            return this;
        }

        public Builder rpd(long requestsPerDay) {
            this.rpd = requestsPerDay;
            return this;
        }

        public Builder ipm(long imagesPerMinute) {
            this.ipm = imagesPerMinute;
            return this;
        }

        /** Length of the sliding per-minute windows; shorten it for tests. */
        public Builder minute(Duration minute) {
            this.minute = Objects.requireNonNull(minute, "minute");
            return this;
        }

        /** Fixed day windows of this length from start-up; null restores days ending at midnight in the reset zone. */
        public Builder day(Duration day) {
            this.day = day;
            return this;
        }

        public Builder resetZone(ZoneId resetZone) {
            this.resetZone = Objects.requireNonNull(resetZone, "resetZone");
            return this;
        }

        public Builder quotaStyle(QuotaStyle quotaStyle) {
            this.quotaStyle = Objects.requireNonNull(quotaStyle, "quotaStyle");
            return this;
        }

        /** Every answer waits {@code millis} plus a uniform jitter in [-jitterMillis, +jitterMillis], never below 0. */
        public Builder latency(long millis, long jitterMillis) {
            if (millis < 0 || jitterMillis < 0) {
                throw new IllegalArgumentException("Latency and jitter must be 0 or more milliseconds, got " + millis + "," + jitterMillis);
            }
            this.latencyMillis = millis;
            this.latencyJitterMillis = jitterMillis;
            return this;
        }

        /**
         * Latency grows with load: effective latency = latency × (1 + factor × (requests in flight − 1)).
         * 0 disables it.
         */
        public Builder slowdown(double factorPerInFlight) {
            if (factorPerInFlight < 0 || Double.isNaN(factorPerInFlight)) {
                throw new IllegalArgumentException("Slowdown factor must be 0 or more, got " + factorPerInFlight);
            }
            this.slowdownPerInFlight = factorPerInFlight;
            return this;
        }

        /** Fault rates by fault name ("503", "reset", "safety", ... see {@link FaultKind}); the rates must sum to at most 1. */
        public Builder faults(Map<String, Double> ratesByName) {
            Map<FaultKind, Double> rates = FaultKind.rates(ratesByName);
            faultRates.clear();
            faultRates.putAll(rates);
            return this;
        }

        /** Fault rates written as on the command line: {@code 503=0.05,reset=0.01}. */
        public Builder faults(String spec) {
            return faults(FaultKind.parseRates(spec));
        }

        /** Time windows from start in which every generate call is answered with one error at once. */
        public Builder outages(List<Outage> windows) {
            outages.clear();
            outages.addAll(windows);
            return this;
        }

        /** Outages written as on the command line: {@code 503:10s+10s}, several separated by commas. */
        public Builder outages(String spec) {
            return outages(Outage.parseAll(spec));
        }

        /** Seed of the random generator behind fault draws and latency jitter, so runs repeat. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Longest a stalled request is held before its connection is closed. */
        public Builder stallMillis(long stallMillis) {
            if (stallMillis < 0) {
                throw new IllegalArgumentException("Stall time must be 0 or more milliseconds, got " + stallMillis);
            }
            this.stallMillis = stallMillis;
            return this;
        }

        public Builder imageMode(ImageMode imageMode) {
            this.imageMode = Objects.requireNonNull(imageMode, "imageMode");
            return this;
        }

        public Builder imageFormat(ImageFormat imageFormat) {
            this.imageFormat = Objects.requireNonNull(imageFormat, "imageFormat");
            return this;
        }

        /** gemini-3-pro-image*: send an interim image part marked "thought": true before the final image. */
        public Builder thoughtImages(boolean thoughtImages) {
            this.thoughtImages = thoughtImages;
            return this;
        }

        /** Only these API keys are valid (others get Google's API_KEY_INVALID 400); empty accepts any key. */
        public Builder acceptedKeys(Set<String> keys) {
            acceptedKeys.clear();
            acceptedKeys.addAll(keys);
            return this;
        }

        /** Service-account JSON whose private key must sign JWT grants at /token; Vertex then requires issued tokens. */
        public Builder serviceAccountFile(Path serviceAccountFile) {
            this.serviceAccountFile = serviceAccountFile;
            return this;
        }

        public Builder tokenTtl(Duration tokenTtl) {
            if (tokenTtl.isNegative() || tokenTtl.isZero()) {
                throw new IllegalArgumentException("Token lifetime must be longer than zero, got " + tokenTtl);
            }
            this.tokenTtl = tokenTtl;
            return this;
        }

        /**
         * Serve only these models (e.g. to mimic a project without access to Pro). Each must be in
         * {@link ModelCatalog#knownModels()}, whose tables give the image sizes; the default is all of them.
         */
        public Builder models(Set<String> modelIds) {
            Set<String> served = new LinkedHashSet<>();
            for (String id : modelIds) {
                String model = ModelCatalog.normalise(id);
                if (!ModelCatalog.isKnown(model)) {
                    throw new IllegalArgumentException("Model '" + id + "' has no pixel or token table; choose from "
                            + String.join(", ", ModelCatalog.knownModels()));
                }
                served.add(model);
            }
            if (served.isEmpty()) {
                throw new IllegalArgumentException("Serve at least one model; choose from " + String.join(", ", ModelCatalog.knownModels()));
            }
            models.clear();
            models.addAll(served);
            return this;
        }

        /** Time from creating a batch job to its end; Google targets 24 h, tests use seconds. */
        public Builder batchTurnaround(Duration turnaround) {
            if (turnaround.isNegative()) {
                throw new IllegalArgumentException("Batch turnaround must be 0 or longer, got " + turnaround);
            }
            this.batchTurnaround = turnaround;
            return this;
        }

        /** Job-level faults by rate, written {@code failed=0.1,expired=0.05}: a job drawn for one ends that way with no results. */
        public Builder batchFaults(String spec) {
            batchFaultRates.clear();
            batchFaultRates.putAll(BatchJobFault.parseRates(spec));
            return this;
        }

        /** The batch quota: requests waiting in unfinished jobs at once; {@link QuotaLimits#UNLIMITED} for none. */
        public Builder batchMaxEnqueued(long requests) {
            if (requests < 0 && requests != QuotaLimits.UNLIMITED) {
                throw new IllegalArgumentException("The batch enqueued-requests limit must be 0 or more, got " + requests);
            }
            this.batchMaxEnqueued = requests;
            return this;
        }

        /** Clock behind quotas, tokens and timestamps; tests inject a fixed or steppable one. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public SimulatorOptions build() {
            return new SimulatorOptions(this);
        }
    }
}
