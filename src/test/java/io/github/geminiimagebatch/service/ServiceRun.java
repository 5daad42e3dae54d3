package io.github.geminiimagebatch.service;

import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.app.BatchApplication;
import org.apache.camel.main.Main;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The real application in service mode (no --once) on a thread of this JVM, over a temporary inbox and
 * outbox, with this project's routes/ folder. {@link #close()} stops it as SIGTERM would and returns.
 */
final class ServiceRun implements AutoCloseable {

    final Path inbox;
    final Path outbox;
    private final BatchApplication app;
    private final CompletableFuture<Integer> exit;

    ServiceRun(Path root, Map<String, String> settings) throws Exception {
        this.inbox = Files.createDirectories(root.resolve("inbox"));
        this.outbox = root.resolve("outbox");
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("imagegen.inbox", inbox.toString());
        flags.put("imagegen.outbox", outbox.toString());
        flags.put("imagegen.inbox.stableMillis", "100");
        flags.put("imagegen.inbox.pollDelayMillis", "100");
        flags.put("imagegen.progress.interval", "1h");
        flags.put("camel.management.enabled", "false");
        flags.putAll(settings);
        app = new BatchApplication(Settings.load(flags, Map.of(), null, null), Path.of("").toAbsolutePath(), Clock.systemUTC());
        exit = CompletableFuture.supplyAsync(() -> {
            try {
                return app.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> exit.isDone() || started());
        if (exit.isDone()) {
            throw new IllegalStateException("the service ended at start with exit code " + exit.get());
        }
    }

    private boolean started() {
        Main main = app.main();
        return main != null && main.getCamelContext() != null && main.getCamelContext().isStarted();
    }

    void drop(String name, String content) throws Exception {
        Path staged = inbox.getParent().resolve(name + ".staging");
        Files.writeString(staged, content);
        Files.move(staged, inbox.resolve(name));
    }

    boolean running() {
        return !exit.isDone();
    }

    /** Stops the service as SIGTERM would; returns its exit code. */
    int stop() throws Exception {
        if (!exit.isDone()) {
            app.main().completed();
        }
        return exit.get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
