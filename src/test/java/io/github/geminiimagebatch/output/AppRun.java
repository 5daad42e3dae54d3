package io.github.geminiimagebatch.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.cli.GeminiImageBatch;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The real application with --once over a temporary inbox, against a simulator over loopback (as pipeline.Harness). */
final class AppRun implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    final Path root;
    final Path inbox;
    final GeminiSimulator simulator;

    AppRun(Path root, SimulatorOptions options) throws IOException {
        this.root = root;
        this.inbox = Files.createDirectories(root.resolve("inbox"));
        this.simulator = GeminiSimulator.start(options);
    }

    void drop(String name, String content) throws IOException {
        Path staged = root.resolve(name + ".staging");
        Files.writeString(staged, content, StandardCharsets.UTF_8);
        Files.move(staged, inbox.resolve(name));
    }

    /** Prompt lines "a cat 1" ... "a cat n" as a .txt file. */
    void dropPrompts(String name, int count) throws IOException {
        StringBuilder prompts = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            prompts.append("a cat number ").append(i).append('\n');
        }
        drop(name, prompts.toString());
    }

    int runOnce(Path outbox, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("--once",
                "--inbox", inbox.toString(), "--outbox", outbox.toString(), "--provider", "simulator",
                "--set", "imagegen.provider.simulator.baseUrl=" + simulator.baseUri(),
                "--set", "imagegen.inbox.stableMillis=100",
                "--set", "imagegen.inbox.pollDelayMillis=100",
                "--set", "imagegen.progress.interval=1h"));
        args.addAll(List.of(extraArgs));
        return GeminiImageBatch.execute(args.toArray(String[]::new));
    }

    /** Moves the processed prompt files back from inbox/.done, for a second run over the same prompts. */
    void redrop() throws IOException {
        try (var done = Files.list(inbox.resolve(".done"))) {
            for (Path file : done.toList()) {
                Files.move(file, inbox.resolve(file.getFileName()));
            }
        }
    }

    static List<JsonNode> jsonLines(String text) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    long requests() {
        return simulator.stats().path("requests").asLong();
    }

    @Override
    public void close() {
        simulator.close();
    }
}
