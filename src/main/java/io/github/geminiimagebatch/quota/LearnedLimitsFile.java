package io.github.geminiimagebatch.quota;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a provider learned about its limits for one model, kept as JSON in the state folder
 * (outbox/.state/learned-limits-PROVIDER-MODEL.json) so the next run starts at the learned pace:
 *
 * <pre>{"provider":"aistudio","model":"gemini-3.1-flash-image",
 *  "windows":[{"key":"requests GenerateRequestsPerMinute...","unit":"requests","limit":"10/6.2s",
 *              "permits":10,"periodMillis":6200,"calendarDay":false,"learnedAt":"2026-03-10T17:00:00Z",
 *              "counted":["2026-03-10T17:00:01.2Z", ...]}],
 *  "adaptiveRate":{"requestsPerMinute":4.5,"beforeLastDecreasePerMinute":9.0,"learnedAt":"2026-03-10T17:05:00Z"}}</pre>
 *
 * The file is only knowledge: a missing or unreadable one means starting afresh.
 */
public final class LearnedLimitsFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final String provider;
    private final String model;

    public LearnedLimitsFile(Path stateDir, String provider, String model) {
        this.file = stateDir.resolve("learned-limits-" + safe(provider) + "-" + safe(model) + ".json");
        this.provider = provider;
        this.model = model;
    }

    public Path path() {
        return file;
    }

    /** What the file holds; NONE when there is no file. */
    public LearnedLimits read() throws IOException {
        if (!Files.exists(file)) {
            return LearnedLimits.NONE;
        }
        JsonNode root = JSON.readTree(file.toFile());
        List<LearnedLimits.Window> windows = new ArrayList<>();
        for (JsonNode w : root.path("windows")) {
            long permits = w.path("permits").asLong();
            Limit limit = w.path("calendarDay").asBoolean() ? Limit.perCalendarDay(permits)
                    : Limit.sliding(permits, Duration.ofMillis(w.path("periodMillis").asLong()));
            List<Instant> counted = new ArrayList<>();
            w.path("counted").forEach(at -> counted.add(Instant.parse(at.asText())));
            windows.add(new LearnedLimits.Window(w.path("key").asText(), "images".equals(w.path("unit").asText()), limit,
                    Instant.parse(w.path("learnedAt").asText()), counted));
        }
        JsonNode rate = root.path("adaptiveRate");
        LearnedLimits.AdaptiveRate adaptive = rate.isObject() ? new LearnedLimits.AdaptiveRate(
                rate.path("requestsPerMinute").asDouble() / 60, rate.path("beforeLastDecreasePerMinute").asDouble() / 60,
                Instant.parse(rate.path("learnedAt").asText())) : null;
        return new LearnedLimits(windows, adaptive);
    }

    /**
     * Replaces the file with {@code learned} (written aside under a name of this write's own, then moved
     * in place atomically); nothing to keep removes it. Safe when several instances share the outbox:
     * a reader sees one writer's whole file, the last one moved in.
     */
    public void write(LearnedLimits learned) throws IOException {
        if (learned.isEmpty()) {
            Files.deleteIfExists(file);
            return;
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("provider", provider);
        root.put("model", model);
        var windows = root.putArray("windows");
        for (LearnedLimits.Window w : learned.windows()) {
            ObjectNode node = windows.addObject();
            node.put("key", w.key());
            node.put("unit", w.images() ? "images" : "requests");
            node.put("limit", w.limit().toString());
            node.put("permits", w.limit().permits());
            node.put("periodMillis", w.limit().period().toMillis());
            node.put("calendarDay", w.limit().calendarDay());
            node.put("learnedAt", w.learnedAt().toString());
            var counted = node.putArray("counted");
            w.counted().forEach(at -> counted.add(at.toString()));
        }
        if (learned.adaptiveRate() != null) {
            ObjectNode rate = root.putObject("adaptiveRate");
            rate.put("requestsPerMinute", learned.adaptiveRate().requestsPerSecond() * 60);
            rate.put("beforeLastDecreasePerMinute", learned.adaptiveRate().beforeLastDecrease() * 60);
            rate.put("learnedAt", learned.adaptiveRate().learnedAt().toString());
        }
        Files.createDirectories(file.getParent());
        // A name of its own for every write: instances sharing an outbox (and threads of one) write
        // the same file at once, and each must move in a whole file of its own, never another's half.
        Path aside = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp");
        try {
            JSON.writerWithDefaultPrettyPrinter().writeValue(aside.toFile(), root);
            try {
                Files.move(aside, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(aside, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(aside);
        }
    }

    private static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
