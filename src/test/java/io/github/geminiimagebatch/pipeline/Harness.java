package io.github.geminiimagebatch.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.cli.GeminiImageBatch;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import io.github.geminiimagebatch.testing.Manifests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/** A temporary inbox/outbox and a simulator over loopback, for running the real application with --once. */
final class Harness implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    final Path root;
    final Path inbox;
    final Path outbox;
    final GeminiSimulator simulator;
    /** The application's clock: the system clock unless a test runs it at a chosen instant. */
    Clock clock = Clock.systemUTC();

    Harness(Path root, SimulatorOptions options) throws IOException {
        this.root = root;
        this.inbox = Files.createDirectories(root.resolve("inbox"));
        this.outbox = root.resolve("outbox");
        this.simulator = GeminiSimulator.start(options);
    }

    static Harness start(Path root) throws IOException {
        return new Harness(root, SimulatorOptions.builder().port(0).build());
    }

    Path drop(String name, String content) throws IOException {
        Path staged = root.resolve(name + ".staging");
        Files.writeString(staged, content, StandardCharsets.UTF_8);
        Path target = inbox.resolve(name);
        Files.move(staged, target);
        return target;
    }

    /** Runs the application once over the inbox against the simulator; returns the exit code. */
    int runOnce(String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("--once",
                "--inbox", inbox.toString(), "--outbox", outbox.toString(), "--provider", "simulator",
                "--set", "imagegen.provider.simulator.baseUrl=" + simulator.baseUri(),
                "--set", "imagegen.inbox.stableMillis=100",
                "--set", "imagegen.inbox.pollDelayMillis=100",
                "--set", "imagegen.progress.interval=1h",
                "--set", "camel.management.port=" + ObserveEndpointsTest.freePort()));
        args.addAll(List.of(extraArgs));
        return GeminiImageBatch.execute(clock, args.toArray(String[]::new));
    }

    List<JsonNode> manifest(String batch) throws IOException {
        return Manifests.read(outbox, batch);
    }

    JsonNode json(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    long requests() {
        return simulator.stats().path("requests").asLong();
    }

    @Override
    public void close() {
        simulator.close();
    }
}
