package io.github.geminiimagebatch.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a batch folder's {@code manifest.jsonl} says about each item: the last line of an id wins, so the
 * working manifest of a killed run (complete lines appended as items settled, maybe a torn last line) reads
 * the same way as a finished one. It is the batch's memory: which items failed for good, and which ids
 * (with which request) a {@code failed.jsonl} retry may write into the folder.
 */
public final class BatchRecord {

    static final String MANIFEST = "manifest.jsonl";
    static final String FAILED = "failed.jsonl";
    static final String INVALID = "invalid.jsonl";
    static final String REPORT = "report.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One item's last manifest line. */
    public record Entry(String id, String status, String reason, String message, String requestKey, ObjectNode line) {

        public boolean failed() {
            return "failed".equals(status);
        }

        /** Failed, and for this very request: sending it again would ask the same question. */
        public boolean failedFor(String key) {
            return failed() && key != null && key.equals(requestKey);
        }

        /** An image of this batch is (or may be) stored under the id for this request. */
        boolean holdsImage() {
            return "ok".equals(status) || "skipped".equals(status);
        }
    }

    private final Map<String, Entry> entries;

    private BatchRecord(Map<String, Entry> entries) {
        this.entries = entries;
    }

    static BatchRecord empty() {
        return new BatchRecord(new LinkedHashMap<>());
    }

    /** Reads {@code outbox/folder/manifest.jsonl}; no manifest is an empty record. */
    public static BatchRecord read(Path outbox, String folder) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (ObjectNode line : jsonLines(outbox, folder, MANIFEST)) {
            String id = line.get("id").asText();
            // a later line of an id keeps the id's place: the manifest stays in file order
            entries.put(id, new Entry(id, line.path("status").asText(""), line.path("reason").asText(null),
                    line.path("message").asText(null), line.path("requestKey").asText(null), line));
        }
        return new BatchRecord(entries);
    }

    /**
     * The lines with an {@code id} of one of the batch's JSON Lines documents; none when it does not exist. A line
     * that is not JSON is skipped: the last line of a killed run's working manifest may be cut off.
     */
    static List<ObjectNode> jsonLines(Path outbox, String folder, String document) throws IOException {
        List<String> texts;
        try {
            texts = Files.readAllLines(outbox.resolve(folder).resolve(document), StandardCharsets.UTF_8);
        } catch (NoSuchFileException none) {
            return List.of();
        }
        List<ObjectNode> lines = new ArrayList<>(texts.size());
        for (String text : texts) {
            try {
                if (!text.isBlank() && JSON.readTree(text) instanceof ObjectNode line && line.path("id").isTextual()) {
                    lines.add(line);
                }
            } catch (IOException torn) {
                // skipped, see above
            }
        }
        return lines;
    }

    public Optional<Entry> entry(String id) {
        return Optional.ofNullable(entries.get(id));
    }

    public Collection<Entry> entries() {
        return entries.values();
    }

    /**
     * Why a retried item may not be written into this batch under its id, or empty when it may: the batch must
     * know the id, and unless it failed there, for the same request, so an image of the batch is never replaced
     * by a different request's.
     */
    Optional<String> refusesRetry(String batch, String id, String requestKey) {
        Entry entry = entries.get(id);
        if (entry == null) {
            return Optional.of("batch '" + batch + "' has no item '" + id + "'");
        }
        if (entry.holdsImage() && !requestKey.equals(entry.requestKey())) {
            return Optional.of("item '" + id + "' of batch '" + batch + "' was made from a different request");
        }
        return Optional.empty();
    }

    /** This record with {@code lines} (manifest lines of a retry) in place of the lines of their ids. */
    byte[] mergedWith(List<ObjectNode> lines) {
        Map<String, ObjectNode> merged = new LinkedHashMap<>();
        entries.values().forEach(e -> merged.put(e.id(), e.line()));
        lines.forEach(line -> merged.put(line.get("id").asText(), line));
        StringBuilder out = new StringBuilder();
        merged.values().forEach(line -> out.append(line).append('\n'));
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
