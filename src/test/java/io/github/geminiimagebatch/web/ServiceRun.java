package io.github.geminiimagebatch.web;

import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.app.BatchApplication;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
 * The real application in service mode (it keeps running after a batch, as a service does, so the page
 * can be looked at when the batch is complete) against a simulator over loopback, with the management
 * server on a free loopback port. Closing stops the application and the simulator.
 */
final class ServiceRun implements AutoCloseable {

    final Path inbox;
    final Path outbox;
    final GeminiSimulator simulator;
    final int port;
    final URI base;
    private final BatchApplication app;
    private final CompletableFuture<Integer> exit;

    ServiceRun(Path root, SimulatorOptions simulatorOptions, Map<String, String> extraSettings) throws Exception {
        this(root, simulatorOptions, extraSettings, freePort());
    }

    /** @param port the management server's port (a free one, see {@link #freePort}) */
    ServiceRun(Path root, SimulatorOptions simulatorOptions, Map<String, String> extraSettings, int port) throws Exception {
        this.inbox = Files.createDirectories(root.resolve("inbox"));
        this.outbox = root.resolve("outbox");
        this.simulator = GeminiSimulator.start(simulatorOptions);
        this.port = port;
        this.base = URI.create("http://127.0.0.1:" + port);
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("imagegen.inbox", inbox.toString());
        flags.put("imagegen.outbox", outbox.toString());
        flags.put("imagegen.providers", "simulator");
        flags.put("imagegen.provider.simulator.baseUrl", simulator.baseUri().toString());
        flags.put("imagegen.inbox.stableMillis", "100");
        flags.put("imagegen.inbox.pollDelayMillis", "100");
        flags.put("imagegen.progress.interval", "1h");
        flags.put("camel.management.port", Integer.toString(port));
        flags.putAll(extraSettings);
        this.app = new BatchApplication(Settings.load(flags, Map.of(), null, null), Path.of("").toAbsolutePath(),
                Clock.systemUTC());
        this.exit = CompletableFuture.supplyAsync(() -> {
            try {
                return app.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest.Builder page = HttpRequest.newBuilder(base.resolve("/"));
        if (extraSettings.containsKey(WebAccess.TOKEN_SETTING)) {
            page.header("Authorization", "Bearer " + extraSettings.get(WebAccess.TOKEN_SETTING));
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (exit.isDone()) {
                throw new IllegalStateException("the application ended before its status page was up: exit " + exit.join());
            }
            try {
                // the page joins the management server once Camel has started: until then "/" is 404
                return http.send(page.build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    Path drop(String name, String content) throws IOException {
        Path staged = inbox.resolveSibling(name + ".staging");
        Files.writeString(staged, content, StandardCharsets.UTF_8);
        return Files.move(staged, inbox.resolve(name));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (app.main() != null) {
                app.main().completed();
            }
            exit.get(60, TimeUnit.SECONDS);
        } finally {
            simulator.close();
        }
    }
}
