package io.github.geminiimagebatch.quota;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Optional;

/**
 * Per-day closes that outlive the process. A provider whose per-day quota is used up is closed until its
 * reset; without a record a restart would send one more request just to learn that again (a paid 429 on
 * some gateways, and one more strike against the project). The close is kept in
 * {@code <stateDir>/closed-<provider>.json} until the reset and removed once it has passed.
 */
public final class DayCloses {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path stateDir;
    private final Clock clock;

    public DayCloses(Path stateDir, Clock clock) {
        this.stateDir = stateDir;
        this.clock = clock;
    }

    /** Closes {@code quota} again when an earlier run closed it for a day that has not reset yet. */
    public void restore(ProviderQuota quota) throws IOException {
        Optional<Closed> closed = read(quota.providerName());
        if (closed.isEmpty()) {
            return;
        }
        if (clock.instant().isBefore(closed.get().until())) {
            quota.closeUntil(closed.get().until(), closed.get().reason() + " (remembered from an earlier run in "
                    + file(quota.providerName()) + ")");
        } else {
            Files.deleteIfExists(file(quota.providerName()));
        }
    }

    /** Keeps a per-day close of {@code provider} until {@code until}; written atomically. */
    public void record(String provider, Instant until, String reason) throws IOException {
        Files.createDirectories(stateDir);
        ObjectNode node = JSON.createObjectNode();
        node.put("provider", provider);
        node.put("until", until.toString());
        node.put("reason", reason);
        Path temp = Files.createTempFile(stateDir, "closed-", ".tmp");
        try {
            Files.writeString(temp, node.toPrettyString() + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(temp, file(provider), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file(provider), StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    Path file(String provider) {
        return stateDir.resolve("closed-" + provider + ".json");
    }

    private record Closed(Instant until, String reason) {
    }

    /** An unreadable record is no close: the worst case is the one request the record exists to save. */
    private Optional<Closed> read(String provider) {
        Path file = file(provider);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            return Optional.of(new Closed(Instant.parse(node.path("until").asText()), node.path("reason").asText("closed")));
        } catch (IOException | DateTimeException unreadable) {
            return Optional.empty();
        }
    }
}
