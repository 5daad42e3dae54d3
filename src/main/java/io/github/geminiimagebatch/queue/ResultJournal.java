package io.github.geminiimagebatch.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The owner's record of each batch run it put on the work queue, so that an owner that dies and starts again
 * finishes the batch with the results it had collected instead of asking for every item again. One file per run,
 * {@code outbox/.state/queue-runs/<run>.jsonl}: a first line naming the run, its batch folder and prompt file,
 * then each result as the owner applied it (with the item's request key). The file goes when the prompt file has
 * left the inbox (the batch completed).
 *
 * <p>Lines are appended, not forced to disk: a killed process leaves them with the operating system. A power cut
 * may lose the last ones, which costs only look-ups: their items are sent again and workers skip stored images.
 * The files are kept by run, not by instance, so an owner restarted under another name finds them too.
 */
final class ResultJournal {

    static final String DIRECTORY = "queue-runs";
    private static final String SUFFIX = ".jsonl";

    /** What a run had collected: its id and the result lines by item id. */
    record Recovered(String runId, Map<String, JsonNode> results) {
    }

    private final Path dir;

    /** @param stateDir the outbox's {@code .state} folder, shared by every instance on that outbox */
    ResultJournal(Path stateDir) {
        this.dir = stateDir.resolve(DIRECTORY);
    }

    /** The run this prompt file was on when its owner stopped before the batch completed, if any. */
    Optional<Recovered> recover(String batch, Path source) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        String sourceName = sourceName(source);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                Optional<Recovered> run = read(file, batch, sourceName);
                if (run.isPresent()) {
                    return run;
                }
            }
        }
        return Optional.empty();
    }

    /** A new run of this batch: its first line. */
    void begin(String runId, String batch, Path source) throws IOException {
        ObjectNode header = WorkMessages.JSON.createObjectNode();
        header.put("run", runId);
        header.put("batch", batch);
        header.put("source", sourceName(source));
        Files.createDirectories(dir);
        Files.writeString(file(runId), header + "\n", StandardCharsets.UTF_8);
    }

    /** Adds a result to the run's record; false when this instance keeps no record of that run. */
    boolean record(String runId, JsonNode result) throws IOException {
        Path file = file(runId);
        if (file == null || !Files.isRegularFile(file)) {
            return false;
        }
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
            out.write((result + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return true;
    }

    /** The batch completed: its run needs no record any more. */
    void end(String runId) throws IOException {
        Path file = file(runId);
        if (file != null) {
            Files.deleteIfExists(file);
        }
    }

    private Optional<Recovered> read(Path file, String batch, String sourceName) throws IOException {
        try (BufferedReader lines = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            JsonNode header = parse(lines.readLine());
            if (header == null || !batch.equals(header.path("batch").asText()) || !sourceName.equals(header.path("source").asText())
                    || file(header.path("run").asText()) == null) {
                return Optional.empty();
            }
            Map<String, JsonNode> results = new ConcurrentHashMap<>();
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                JsonNode result = parse(line);
                // a line cut short by a kill is the last one: its item is simply sent again. The latest line of an
                // item counts: one recorded again was asked for again (its request changed in the prompt file)
                if (result != null && result.hasNonNull("id")) {
                    results.put(result.get("id").asText(), result);
                }
            }
            return Optional.of(new Recovered(header.path("run").asText(), results));
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        }
    }

    private static JsonNode parse(String line) {
        if (line == null || line.isBlank()) {
            return null;
        }
        try {
            JsonNode node = WorkMessages.JSON.readTree(line);
            return node != null && node.isObject() ? node : null;
        } catch (IOException cut) {
            return null;
        }
    }

    /** The run's file; null for a run id this bundle did not make (it comes from a message, so it is checked). */
    private Path file(String runId) {
        try {
            if (runId == null || !UUID.fromString(runId).toString().equals(runId)) {
                return null;
            }
        } catch (IllegalArgumentException notAUuid) {
            return null;
        }
        return dir.resolve(runId + SUFFIX);
    }

    private static String sourceName(Path source) {
        return source.toAbsolutePath().normalize().toString();
    }
}
