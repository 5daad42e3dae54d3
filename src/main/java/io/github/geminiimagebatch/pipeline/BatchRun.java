package io.github.geminiimagebatch.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.geminiimagebatch.prompt.PromptItem;
import io.github.geminiimagebatch.quota.ThrottleKind;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** One prompt file being worked on: its items, counters and the documents written when it completes. */
public final class BatchRun {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final Path source;
    private final Instant startedAt;
    /** A failed.jsonl retry: its valid items join {@link #name}'s record instead of making one of their own. */
    private final boolean retry;
    private final List<WorkItem> items = new ArrayList<>();
    private final Map<String, WorkItem> itemsById = new java.util.HashMap<>();
    private final Map<ThrottleKind, Integer> throttlesByKind = new EnumMap<>(ThrottleKind.class);
    private final Map<String, int[]> perProvider = new TreeMap<>();
    private final Map<String, Duration> pausedAtStart = new TreeMap<>();
    private final Map<String, Duration> pausedAtEnd = new TreeMap<>();
    private final boolean ownedElsewhere;
    private int retries;
    private Instant finishedAt;
    /** The inbox poll that took this batch's file (1, 2, ...); 0 when it did not come from a poll. */
    private volatile long poll;

    public BatchRun(String name, Path source, Instant startedAt) {
        this(name, source, startedAt, false);
    }

    public BatchRun(String name, Path source, Instant startedAt, boolean retry) {
        this(name, source, startedAt, retry, false);
    }

    private BatchRun(String name, Path source, Instant startedAt, boolean retry, boolean ownedElsewhere) {
        this.name = name;
        this.source = source;
        this.startedAt = startedAt;
        this.retry = retry;
        this.ownedElsewhere = ownedElsewhere;
    }

    /**
     * What a worker holds of a batch another instance read from its inbox: one item's counters, sent back to
     * that owner, which counts the item in its run and writes the batch's reports.
     */
    public static BatchRun ownedElsewhere(String name, Instant startedAt) {
        return new BatchRun(name, Path.of(name), startedAt, false, true);
    }

    public boolean isOwnedElsewhere() {
        return ownedElsewhere;
    }

    public boolean isRetry() {
        return retry;
    }

    /** The inbox poll that took this batch's file: files taken together are one run's view, as {@code plan} sees them. */
    public long getPoll() {
        return poll;
    }

    void takenInPoll(long poll) {
        this.poll = poll;
    }

    /**
     * Whether the item's manifest line belongs in this batch's record. A retry line with invalid input (or one
     * the batch does not know) is no item of the batch: its id may be another item's, so it is only reported.
     */
    boolean recorded(WorkItem item) {
        return !retry || !Intake.INVALID_INPUT.equals(item.getReasonClass());
    }

    public String getName() {
        return name;
    }

    public Path getSource() {
        return source;
    }

    public Instant getStartedAt() {
        return startedAt;
    }

    synchronized void add(WorkItem item) {
        items.add(item);
        itemsById.put(item.getId(), item);
    }

    public List<WorkItem> getItems() {
        return Collections.unmodifiableList(items);
    }

    /** The items the split sends through the item route (all of them: settled ones pass straight through). */
    public List<WorkItem> getWork() {
        return List.copyOf(items);
    }

    synchronized void countThrottle(ThrottleKind kind) {
        throttlesByKind.merge(kind, 1, Integer::sum);
    }

    synchronized void countRetry() {
        retries++;
    }

    /** Counts a call made to a provider: index 0 requests, 1 images, 2 throttled, 3 failed. */
    synchronized void countCall(String provider, int slot) {
        perProvider.computeIfAbsent(provider, p -> new int[4])[slot]++;
    }

    /** The counters of the report besides item statuses (a copy). */
    public synchronized BatchCounters counters() {
        Map<String, int[]> calls = new TreeMap<>();
        perProvider.forEach((provider, c) -> calls.put(provider, c.clone()));
        return new BatchCounters(throttlesByKind, retries, calls);
    }

    /** Adds counters another instance gathered while working on items of this batch. */
    synchronized void add(BatchCounters counters) {
        counters.throttles().forEach((kind, n) -> throttlesByKind.merge(kind, n, Integer::sum));
        retries += counters.retries();
        counters.calls().forEach((provider, c) -> {
            int[] mine = perProvider.computeIfAbsent(provider, p -> new int[4]);
            for (int i = 0; i < mine.length && i < c.length; i++) {
                mine[i] += c[i];
            }
        });
    }

    /** The item with this id, if the batch has one. */
    public synchronized java.util.Optional<WorkItem> item(String id) {
        return java.util.Optional.ofNullable(itemsById.get(id));
    }

    /** Each provider's paused total when the batch started: the report shows the pauses since then. */
    synchronized void pausedAtStart(Map<String, Duration> pausedByProvider) {
        pausedAtStart.putAll(pausedByProvider);
    }

    synchronized void finish(Instant at, Map<String, Duration> pausedByProvider) {
        finishedAt = at;
        pausedAtEnd.putAll(pausedByProvider);
    }

    /** Seconds each provider was paused (429s, server errors) while this batch ran; only providers that paused. */
    synchronized Map<String, Double> pausedSeconds() {
        Map<String, Double> paused = new TreeMap<>();
        pausedAtEnd.forEach((provider, end) -> {
            Duration during = end.minus(pausedAtStart.getOrDefault(provider, Duration.ZERO));
            if (!during.isNegative() && !during.isZero()) {
                paused.put(provider, round(during.toMillis() / 1000.0, 3));
            }
        });
        return paused;
    }

    public synchronized long count(WorkItem.Status status) {
        return items.stream().filter(i -> i.getStatus() == status).count();
    }

    public boolean hasPending() {
        return items.stream().anyMatch(i -> i.getStatus() == WorkItem.Status.PENDING
                || i.getStatus() == WorkItem.Status.WORKING);
    }

    public synchronized double cost() {
        return items.stream().mapToDouble(WorkItem::getSpentNowUsd).sum();
    }

    static ObjectNode manifestLine(WorkItem item) {
        ObjectNode line = JSON.createObjectNode();
        line.put("id", item.getId());
        line.put("status", item.getStatus() == WorkItem.Status.WORKING ? "pending"
                : item.getStatus().name().toLowerCase(java.util.Locale.ROOT));
        if (item.getReasonClass() != null) {
            line.put("reason", item.getReasonClass());
        }
        if (item.getMessage() != null) {
            line.put("message", item.getMessage());
        }
        if (item.getStoredImage() != null) {
            line.put("image", item.getStoredImage());
        }
        if (item.getProvider() != null && item.getStatus() == WorkItem.Status.OK) {
            line.put("provider", item.getProvider());
        }
        if (item.getInstance() != null) {
            line.put("instance", item.getInstance());
        }
        line.put("line", item.getPrompt().line());
        if (item.getRequestKey() != null) {
            line.put("requestKey", item.getRequestKey());
        }
        return line;
    }

    /** The complete manifest: this run's lines, or for a retry the batch's earlier record with these lines in place. */
    byte[] manifest(BatchRecord earlier) {
        List<ObjectNode> lines = items.stream().filter(this::recorded).map(BatchRun::manifestLine).toList();
        return retry ? earlier.mergedWith(lines) : jsonLines(lines);
    }

    /**
     * Every failed item that can be sent again as it is, as a .jsonl prompt file whose lines name this batch, so
     * the retry lands here. A retry keeps the earlier lines of the items it did not retry.
     */
    byte[] failedPrompts(List<ObjectNode> earlier) {
        List<ObjectNode> lines = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        items.stream().filter(this::recorded).forEach(item -> ids.add(item.getId()));
        if (retry) {
            earlier.stream().filter(line -> !ids.contains(line.path("id").asText())).forEach(lines::add);
        }
        for (WorkItem item : items) {
            if (item.getStatus() == WorkItem.Status.FAILED && !Intake.INVALID_INPUT.equals(item.getReasonClass())) {
                lines.add(retryLine(item.getPrompt()));
            }
        }
        return jsonLines(lines);
    }

    private ObjectNode retryLine(PromptItem p) {
        ObjectNode line = JSON.createObjectNode();
        line.put("batch", name);
        line.put("id", p.id());
        line.put("prompt", p.prompt());
        if (p.aspectRatio() != null) {
            line.put("aspectRatio", p.aspectRatio());
        }
        if (p.imageSize() != null) {
            line.put("imageSize", p.imageSize());
        }
        if (p.model() != null) {
            line.put("model", p.model());
        }
        if (!p.referenceImages().isEmpty()) {
            ArrayNode refs = line.putArray("referenceImages");
            Path base = source.toAbsolutePath().getParent();
            p.referenceImages().forEach(r -> refs.add(base.relativize(r.toAbsolutePath()).toString()));
        }
        return line;
    }

    /**
     * The items whose input is invalid, one line each naming the file, line and reason, so they can be fixed in
     * the prompt file and dropped again. Lines of the batch's other files (the original, a retry) are kept.
     */
    byte[] invalidInput(List<ObjectNode> earlier) {
        String file = source.getFileName().toString();
        List<ObjectNode> lines = new ArrayList<>();
        earlier.stream().filter(line -> !file.equals(line.path("file").asText())).forEach(lines::add);
        for (WorkItem item : items) {
            if (Intake.INVALID_INPUT.equals(item.getReasonClass())) {
                ObjectNode line = JSON.createObjectNode();
                line.put("file", file);
                line.put("line", item.getPrompt().line());
                line.put("id", item.getId());
                line.put("reason", item.getReasonClass());
                line.put("message", item.getMessage());
                lines.add(line);
            }
        }
        return jsonLines(lines);
    }

    private static byte[] jsonLines(List<ObjectNode> lines) {
        StringBuilder out = new StringBuilder();
        lines.forEach(line -> out.append(line).append('\n'));
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @param now the time a report of an unfinished batch counts up to */
    synchronized byte[] report(Instant now) {
        ObjectNode report = JSON.createObjectNode();
        report.put("batch", name);
        report.put("source", source.getFileName().toString());
        report.put("startedAt", startedAt.toString());
        Instant end = finishedAt == null ? now : finishedAt;
        report.put("finishedAt", end.toString());
        double wallSeconds = Math.max(0.001, Duration.between(startedAt, end).toMillis() / 1000.0);
        report.put("wallSeconds", round(wallSeconds, 3));
        ObjectNode totals = report.putObject("totals");
        totals.put("items", items.size());
        long ok = count(WorkItem.Status.OK);
        totals.put("ok", ok);
        totals.put("skipped", count(WorkItem.Status.SKIPPED));
        totals.put("failed", count(WorkItem.Status.FAILED));
        totals.put("pending", count(WorkItem.Status.PENDING) + count(WorkItem.Status.WORKING));
        report.put("imagesPerMinute", round(ok * 60.0 / wallSeconds, 2));
        ObjectNode throttles = report.putObject("http429");
        int total429 = 0;
        for (ThrottleKind kind : ThrottleKind.values()) {
            int n = throttlesByKind.getOrDefault(kind, 0);
            throttles.put(kindName(kind), n);
            total429 += n;
        }
        throttles.put("total", total429);
        report.put("retries", retries);
        report.put("costUsd", round(cost(), 4));
        ObjectNode reasons = report.putObject("failedByReason");
        items.stream().filter(i -> i.getStatus() == WorkItem.Status.FAILED)
                .forEach(i -> reasons.put(i.getReasonClass(), reasons.path(i.getReasonClass()).asInt(0) + 1));
        Map<String, Integer> byJob = new TreeMap<>();
        items.stream().filter(i -> i.getBatchJob() != null).forEach(i -> byJob.merge(i.getBatchJob(), 1, Integer::sum));
        if (!byJob.isEmpty()) {
            // Gemini Batch API jobs that answered this batch's items, with how many each answered
            ObjectNode jobs = report.putObject("batchJobs");
            byJob.forEach(jobs::put);
        }
        ObjectNode providers = report.putObject("providers");
        Map<String, Double> paused = pausedSeconds();
        Map<String, int[]> calls = new TreeMap<>(perProvider);
        paused.keySet().forEach(provider -> calls.putIfAbsent(provider, new int[4]));
        calls.forEach((provider, c) -> {
            ObjectNode p = providers.putObject(provider);
            p.put("requests", c[0]);
            p.put("images", c[1]);
            p.put("http429", c[2]);
            p.put("errors", c[3]);
            p.put("pausedSeconds", paused.getOrDefault(provider, 0.0));
        });
        return report.toPrettyString().getBytes(StandardCharsets.UTF_8);
    }

    static String kindName(ThrottleKind kind) {
        return switch (kind) {
            case PER_MINUTE -> "perMinute";
            case PER_DAY -> "perDay";
            case TOKENS_PER_MINUTE -> "tokensPerMinute";
            case IMAGES_PER_MINUTE -> "imagesPerMinute";
            case UNKNOWN -> "unknown";
        };
    }

    private static double round(double value, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(value * f) / f;
    }
}
