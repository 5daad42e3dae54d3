package io.github.geminiimagebatch.testing;

import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The packaged jar run again and again over one inbox and outbox in a temporary folder, as the crash tests
 * kill and restart it, against a simulator of their own; each run writes its own log (run-1.log, run-2.log ...).
 */
public final class JarRuns implements AutoCloseable {

    private static final int TAIL_CHARS = 4000;

    public final Path inbox;
    public final Path outbox;
    public final GeminiSimulator simulator;
    private final Path dir;
    private final Path jar;
    private int runs;

    public JarRuns(Path dir, SimulatorOptions simulatorOptions) throws IOException {
        this.dir = dir;
        this.jar = PackagedJar.find();
        this.inbox = Files.createDirectories(dir.resolve("inbox"));
        this.outbox = dir.resolve("outbox");
        this.simulator = GeminiSimulator.start(simulatorOptions);
    }

    /** Writes a prompt file beside the inbox, already older than the inbox's stable time, and moves it in at once. */
    public void drop(String name, CharSequence text) throws IOException {
        Path staged = Files.writeString(dir.resolve(name + ".staging"), text, StandardCharsets.UTF_8);
        Files.setLastModifiedTime(staged, FileTime.from(Instant.now().minusSeconds(10)));
        Files.move(staged, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Starts the next run ({@link PackagedJar#launch}) with {@code --inbox} and {@code --outbox}, then {@code args}. */
    public Process launch(List<String> args) throws IOException {
        runs++;
        List<String> all = new ArrayList<>(List.of("--inbox", inbox.toString(), "--outbox", outbox.toString()));
        all.addAll(args);
        return PackagedJar.launch(jar, dir, logFile(runs), all);
    }

    /** How many runs were started so far; the last one's number. */
    public int runs() {
        return runs;
    }

    /** Everything run {@code run} printed, or why there is nothing. */
    public String log(int run) {
        try {
            return Files.readString(logFile(run));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The end of run {@code run}'s log, short enough for an assertion message. */
    public String tail(int run) {
        String log = log(run);
        return log.length() > TAIL_CHARS ? "..." + log.substring(log.length() - TAIL_CHARS) : log;
    }

    /** The end of the last run's log. */
    public String lastTail() {
        return tail(runs);
    }

    private Path logFile(int run) {
        return dir.resolve("run-" + run + ".log");
    }

    @Override
    public void close() {
        simulator.close();
    }
}
