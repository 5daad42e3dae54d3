package io.github.geminiimagebatch.testing;

import io.github.geminiimagebatch.queue.Broker;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Instances of the packaged jar that a process test runs side by side (work queue, shared quota, claims),
 * each its own JVM named by its instance, its output in {@code DIR/INSTANCE.log}, and what they share: a
 * simulator, a real Artemis broker, a real redis-server, each started when the test asks for it.
 * {@link #close} ends every process, then what they shared.
 */
public final class JarInstances implements AutoCloseable {

    private static final int TAIL_CHARS = 4000;

    private final Path dir;
    private final Path jar;
    private final List<Process> processes = new ArrayList<>();
    private final List<AutoCloseable> shared = new ArrayList<>();

    public JarInstances(Path dir) {
        this.dir = dir;
        this.jar = PackagedJar.find();
    }

    public GeminiSimulator simulator(SimulatorOptions options) throws IOException {
        GeminiSimulator simulator = GeminiSimulator.start(options);
        shared.add(simulator);
        return simulator;
    }

    /** A redis-server on a free port; the test is skipped (not failed) when redis-server is not installed. */
    public RedisServer redis() throws IOException, InterruptedException {
        RedisServer redis = RedisServer.start(dir);
        shared.add(redis);
        return redis;
    }

    /** An embedded broker on a free loopback port, its data under DIR/broker. */
    public Broker broker(int maxDeliveries) throws Exception {
        Broker broker = Broker.start("127.0.0.1", freePort(), dir.resolve("broker"), maxDeliveries);
        shared.add(broker);
        return broker;
    }

    /** Starts {@code java -jar JAR ARGS} ({@link PackagedJar#start}) in DIR as {@code instance}. */
    public Process launch(String instance, List<String> args) throws IOException {
        Process process = PackagedJar.start(jar, dir, logFile(instance), args);
        processes.add(process);
        return process;
    }

    public Path logFile(String instance) {
        return dir.resolve(instance + ".log");
    }

    /** What {@code instance} printed so far; empty before it started. */
    public String log(String instance) throws IOException {
        Path log = logFile(instance);
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** The end of each instance's log, for a failure message. */
    public String tails(String... instances) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String instance : instances) {
            String log = log(instance);
            text.append("\n--- ").append(instance).append(":\n").append(log.substring(Math.max(0, log.length() - TAIL_CHARS)));
        }
        return text.toString();
    }

    /** Waits until {@code instance} logged {@code text}; fails when its process ends first or {@code limit} passes. */
    public void awaitLog(String instance, String text, Process process, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!log(instance).contains(text)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(instance + " never logged '" + text + "'; log: " + tails(instance));
            }
            Thread.sleep(20);
        }
    }

    /** The exit code of {@code instance}'s process; fails (killing it) when it runs longer than {@code limit}. */
    public int finish(String instance, Process process, Duration limit) throws Exception {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("instance " + instance + " did not end within " + limit + "; log: " + tails(instance));
        }
        return process.exitValue();
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        for (Process process : processes) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (int i = shared.size() - 1; i >= 0; i--) {
            shared.get(i).close();
        }
    }
}
