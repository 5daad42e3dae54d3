package io.github.geminiimagebatch.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.cli.GeminiImageBatch;
import io.github.geminiimagebatch.testing.Manifests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code --once} run of the real application (Camel Main + routes/*.camel.yaml) over a temporary
 * inbox/outbox, with providers configured only through settings, exactly as a user would.
 */
final class ProviderRun {

    static final ObjectMapper JSON = new ObjectMapper();

    final Path root;
    final Path inbox;
    final Path outbox;
    private final Map<String, String> settings = new LinkedHashMap<>();

    ProviderRun(Path root) throws IOException {
        this.root = root;
        this.inbox = Files.createDirectories(root.resolve("inbox"));
        this.outbox = root.resolve("outbox");
        set("imagegen.inbox.stableMillis", "100");
        set("imagegen.inbox.pollDelayMillis", "100");
        set("imagegen.progress.interval", "1h");
    }

    ProviderRun set(String key, String value) {
        settings.put(key, value);
        return this;
    }

    /** Sets {@code imagegen.provider.<name>.<key>}. */
    ProviderRun provider(String name, String key, String value) {
        return set("imagegen.provider." + name + "." + key, value);
    }

    ProviderRun drop(String name, String content) throws IOException {
        Path staged = root.resolve(name + ".staging");
        Files.writeString(staged, content, StandardCharsets.UTF_8);
        Files.move(staged, inbox.resolve(name));
        return this;
    }

    /** A .txt prompt file with {@code count} distinct prompts. */
    ProviderRun dropPrompts(String name, int count) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            text.append("prompt number ").append(i).append(" for ").append(name).append('\n');
        }
        return drop(name, text.toString());
    }

    int once(String providers) {
        List<String> args = new ArrayList<>(List.of("--once", "--inbox", inbox.toString(), "--outbox", outbox.toString(),
                "--provider", providers));
        settings.forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
        return GeminiImageBatch.execute(args.toArray(String[]::new));
    }

    List<JsonNode> manifest(String batch) throws IOException {
        return Manifests.read(outbox, batch);
    }

    /** The sidecars of every image of the batch, in item order. */
    List<JsonNode> sidecars(String batch) throws IOException {
        List<JsonNode> sidecars = new ArrayList<>();
        for (JsonNode line : manifest(batch)) {
            if (line.path("status").asText().equals("ok")) {
                sidecars.add(JSON.readTree(outbox.resolve(batch).resolve(line.path("id").asText() + ".json").toFile()));
            }
        }
        return sidecars;
    }

    JsonNode report(String batch) throws IOException {
        return JSON.readTree(outbox.resolve(batch).resolve("report.json").toFile());
    }
}
