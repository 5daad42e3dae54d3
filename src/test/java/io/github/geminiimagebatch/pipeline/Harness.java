package io.github.geminiimagebatch.pipeline;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.cli.GeminiImageBatch;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import io.github.geminiimagebatch.testing.Manifests;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A temporary inbox/outbox and a simulator over loopback, for running the real application with --once. */
final class Harness implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> LOGGERS = List.of("io.github.geminiimagebatch", "gemini-image-batch");

    final Path root;
    final Path inbox;
    final Path outbox;
    final GeminiSimulator simulator;
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    /** The application's clock: the system clock unless a test runs it at a chosen instant. */
    Clock clock = Clock.systemUTC();

    Harness(Path root, SimulatorOptions options) throws IOException {
        this.root = root;
        this.inbox = Files.createDirectories(root.resolve("inbox"));
        this.outbox = root.resolve("outbox");
        this.simulator = GeminiSimulator.start(options);
        log.start();
        LOGGERS.forEach(name -> ((Logger) LoggerFactory.getLogger(name)).addAppender(log));
    }

    /** The product's log messages since the harness started (the application's and the closing lines). */
    List<String> messages() {
        synchronized (log) {
            return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
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

    /** What {@code plan} prints for the inbox and outbox with the settings of {@link #runOnce}. */
    String plan(String... extraArgs) {
        List<String> args = new ArrayList<>(List.of("--outbox", outbox.toString(), "--provider", "simulator",
                "--set", "imagegen.provider.simulator.baseUrl=" + simulator.baseUri()));
        args.addAll(List.of(extraArgs));
        args.addAll(List.of("plan", "--inbox", inbox.toString()));
        return printed(args.toArray(String[]::new));
    }

    /** Runs the command line and returns what it printed; it must exit with 0. */
    String printed(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            int code = GeminiImageBatch.execute(clock, args);
            if (code != 0) {
                throw new AssertionError("exit code " + code + " from " + String.join(" ", args) + ":\n" + buffer);
            }
        } finally {
            System.setOut(original);
        }
        return buffer.toString(StandardCharsets.UTF_8);
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

    /** Manifest lines by id, in file order. */
    static Map<String, JsonNode> byId(List<JsonNode> manifest) {
        Map<String, JsonNode> lines = new LinkedHashMap<>();
        manifest.forEach(line -> lines.put(line.path("id").asText(), line));
        return lines;
    }

    @Override
    public void close() {
        LOGGERS.forEach(name -> ((Logger) LoggerFactory.getLogger(name)).detachAppender(log));
        simulator.close();
    }
}
