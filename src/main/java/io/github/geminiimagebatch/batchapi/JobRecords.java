package io.github.geminiimagebatch.batchapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The jobs of one provider in {@code outbox/.state/batch-jobs/<provider>/<displayName>.json}: written before the
 * create call (name still unknown) and again as soon as it answers, so a restart polls the job instead of paying
 * for its items again, and finds it by its display name after a crash between the call and the second write.
 */
final class JobRecords {

    private static final Logger LOG = LoggerFactory.getLogger(JobRecords.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A job as kept on disk; {@code name} is null until the create call has answered. */
    record Record(String displayName, String name, String model, List<String> keys, Instant createdAt) {
    }

    private final Path dir;

    JobRecords(Path dir) {
        this.dir = dir;
    }

    void write(Record record) throws IOException {
        Files.createDirectories(dir);
        ObjectNode node = JSON.createObjectNode();
        node.put("displayName", record.displayName());
        if (record.name() != null) {
            node.put("name", record.name());
        }
        node.put("model", record.model());
        node.put("createdAt", record.createdAt().toString());
        record.keys().forEach(node.putArray("keys")::add);
        Path target = file(record.displayName());
        Path temp = dir.resolve(record.displayName() + ".json.tmp");
        Files.write(temp, node.toPrettyString().getBytes(StandardCharsets.UTF_8));
        try {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    void delete(String displayName) {
        try {
            Files.deleteIfExists(file(displayName));
        } catch (IOException e) {
            LOG.warn("Could not delete the batch job record {}: {}", file(displayName), e.getMessage());
        }
    }

    /** Every readable record; an unreadable one is named in the log and left for the user to look at. */
    List<Record> readAll() throws IOException {
        List<Record> records = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return records;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path file : files) {
                try {
                    JsonNode node = JSON.readTree(file.toFile());
                    List<String> keys = new ArrayList<>();
                    node.path("keys").forEach(key -> keys.add(key.asText()));
                    records.add(new Record(node.path("displayName").asText(), node.hasNonNull("name") ? node.get("name").asText() : null,
                            node.path("model").asText(null), List.copyOf(keys), Instant.parse(node.path("createdAt").asText())));
                } catch (IOException | RuntimeException e) {
                    LOG.warn("The batch job record {} cannot be read ({}); it is ignored. Delete it if that job is no longer wanted.",
                            file, e.getMessage());
                }
            }
        }
        return records;
    }

    private Path file(String displayName) {
        return dir.resolve(displayName + ".json");
    }
}
