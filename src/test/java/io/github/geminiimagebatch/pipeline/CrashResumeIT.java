package io.github.geminiimagebatch.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import io.github.geminiimagebatch.testing.JarRuns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar as a separate process, killed part-way (SIGKILL) or stopped (SIGTERM), then run
 * again: every prompt ends with exactly one image, and the simulator bills at most the items plus the
 * requests that were in flight at the kill. Runs in the integration-test phase, after {@code package}.
 */
class CrashResumeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Prompts of the batch, killed at 10%, 50% and 90% of it. */
    private static final int ITEMS = 100;
    private static final int CONCURRENCY = 8;
    /**
     * Items in progress at once: the item threads (CamelSettings: concurrency and half as many again). An
     * item frees its call slot when the answer arrives and holds its thread until the image is recorded, so
     * up to this many can have been paid for and not yet recorded when the process is killed.
     */
    private static final int ITEMS_IN_PROGRESS = CONCURRENCY + CONCURRENCY / 2;
    private static final int SIGTERM_AT = 30;
    private static final String BATCH = "lighthouses";
    private static final Duration PROCESS_LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;
    JarRuns runs;
    Path batchDir;
    GeminiSimulator simulator;

    @BeforeEach
    void start() throws IOException {
        runs = new JarRuns(tmp, SimulatorOptions.builder().port(0).latency(150, 50).build());
        simulator = runs.simulator;
        batchDir = runs.outbox.resolve(BATCH);
    }

    @AfterEach
    void stop() {
        runs.close();
    }

    @ParameterizedTest(name = "kill -9 when {0} of 100 images exist")
    @ValueSource(ints = {10, 50, 90})
    void killNineThenRestartFinishesEverythingOnceAndRepeatsOnlyWhatWasInFlight(int imagesBeforeKill) throws Exception {
        dropPrompts();
        Instant began = Instant.now();

        Process first = launch();
        waitForImages(first, imagesBeforeKill);
        int inFlightAtKill = simulator.stats().path("inFlight").asInt();
        first.destroyForcibly();
        assertThat(first.waitFor(10, TimeUnit.SECONDS)).as("killed process ends").isTrue();
        awaitSimulatorIdle();
        long billedAtKill = billed();
        int imagesAtKill = images().size();
        int keysAtKill = keyIndexEntries();
        assertThat(billedAtKill - keysAtKill).as("paid but not recorded at the kill: at most the items in progress")
                .isBetween(0L, (long) ITEMS_IN_PROGRESS);
        assertThat(runs.inbox.resolve(BATCH + ".txt")).as("the prompt file stays in the inbox").exists();

        Process second = launch();
        assertThat(finish(second)).as("exit code of the run after the kill; log: " + runs.lastTail()).isZero();

        JsonNode stats = simulator.stats();
        long billedTotal = stats.path("imagesBilled").asLong();
        assertExactlyOneImagePerItemAndNothingElse();
        List<JsonNode> manifest = manifest();
        assertThat(manifest).hasSize(ITEMS);
        long skipped = manifest.stream().filter(l -> l.path("status").asText().equals("skipped")).count();
        assertThat(manifest).allSatisfy(l -> assertThat(l.path("status").asText()).isIn("ok", "skipped"));
        assertThat(skipped).as("items recorded before the kill are skipped, not sent again").isEqualTo(keysAtKill);
        assertThat(billedTotal).as("billed images: the items plus at most the requests in flight at the kill")
                .isBetween((long) ITEMS, (long) ITEMS + ITEMS_IN_PROGRESS);
        int twice = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = stats.path("billedByPrompt").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> prompt = it.next();
            assertThat(prompt.getValue().asInt()).as("billed for " + prompt.getKey()).isBetween(1, 2);
            twice += prompt.getValue().asInt() == 2 ? 1 : 0;
        }
        assertThat(twice).isEqualTo(billedTotal - ITEMS);
        assertThat(runs.inbox.resolve(".done/" + BATCH + ".txt")).exists();
        assertThat(runs.inbox.resolve(BATCH + ".txt")).doesNotExist();

        long requestsBeforeRedrop = stats.path("requests").asLong();
        Files.move(runs.inbox.resolve(".done/" + BATCH + ".txt"), runs.inbox.resolve(BATCH + ".txt"));
        Process third = launch();
        assertThat(finish(third)).as("exit code of the re-drop; log: " + runs.lastTail()).isZero();
        assertThat(simulator.stats().path("requests").asLong()).as("a finished file dropped again costs nothing")
                .isEqualTo(requestsBeforeRedrop);
        assertThat(manifest()).allSatisfy(l -> assertThat(l.path("status").asText()).isEqualTo("skipped"));

        System.out.printf(Locale.ROOT, "kill -9 at %d images: images at kill %d, key entries %d, billed at kill %d,"
                        + " simulator in flight at kill %d, billed in total %d for %d items (%d prompts billed twice),"
                        + " skipped on restart %d; three runs took %d ms%n",
                imagesBeforeKill, imagesAtKill, keysAtKill, billedAtKill, inFlightAtKill, billedTotal, ITEMS, twice,
                skipped, Duration.between(began, Instant.now()).toMillis());
    }

    @Test
    void sigtermLetsInFlightItemsFinishWritesReportsAndTheNextRunDoesTheRest() throws Exception {
        dropPrompts();
        Duration shutdownTimeout = Duration.ofSeconds(5);

        Process first = launch("--set", "imagegen.shutdown.timeout=5s");
        waitForImages(first, SIGTERM_AT);
        Instant signalled = Instant.now();
        first.destroy();
        assertThat(first.waitFor(shutdownTimeout.toSeconds() + 5, TimeUnit.SECONDS))
                .as("exits within imagegen.shutdown.timeout plus a margin").isTrue();
        long stopMillis = Duration.between(signalled, Instant.now()).toMillis();
        assertThat(first.exitValue()).as("SIGTERM exit status of a JVM; log: " + runs.lastTail()).isEqualTo(143);
        awaitSimulatorIdle();

        long billedAtStop = billed();
        JsonNode report = JSON.readTree(batchDir.resolve("report.json").toFile());
        List<JsonNode> manifest = manifest();
        long ok = manifest.stream().filter(l -> l.path("status").asText().equals("ok")).count();
        long pending = manifest.stream().filter(l -> l.path("status").asText().equals("pending")).count();
        assertThat(ok + pending).as("every item is ok or pending").isEqualTo(ITEMS);
        assertThat(ok).as("in-flight items finished: every billed image is stored").isEqualTo(billedAtStop)
                .isEqualTo(images().size()).isEqualTo(keyIndexEntries());
        assertThat(report.path("totals").path("ok").asLong()).isEqualTo(ok);
        assertThat(report.path("totals").path("pending").asLong()).isEqualTo(pending);
        assertThat(manifest).filteredOn(l -> l.path("status").asText().equals("pending"))
                .allSatisfy(l -> assertThat(l.path("reason").asText()).isEqualTo("stopped"));
        assertThat(runs.inbox.resolve(BATCH + ".txt")).exists();

        Process second = launch();
        assertThat(finish(second)).as("exit code after SIGTERM; log: " + runs.lastTail()).isZero();
        assertExactlyOneImagePerItemAndNothingElse();
        assertThat(billed()).as("nothing paid twice after a SIGTERM").isEqualTo(ITEMS);
        assertThat(manifest()).allSatisfy(l -> assertThat(l.path("status").asText()).isIn("ok", "skipped"));
        assertThat(manifest().stream().filter(l -> l.path("status").asText().equals("skipped")).count()).isEqualTo(ok);

        System.out.printf(Locale.ROOT, "SIGTERM at %d images: stopped in %d ms (shutdown timeout %d s),"
                        + " %d ok and %d pending in the report, billed %d at the stop, %d in total for %d items%n",
                SIGTERM_AT, stopMillis, shutdownTimeout.toSeconds(), ok, pending, billedAtStop, billed(), ITEMS);
    }

    private void dropPrompts() throws IOException {
        StringBuilder text = new StringBuilder("# crash-resume test\n");
        for (int i = 1; i <= ITEMS; i++) {
            text.append("lighthouse number ").append(i).append(" on a rocky coast at dusk\n");
        }
        runs.drop(BATCH + ".txt", text);
    }

    private Process launch(String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("--provider", "simulator",
                "--set", "imagegen.provider.simulator.baseUrl=" + simulator.baseUri(),
                "--set", "imagegen.concurrency=" + CONCURRENCY,
                "--set", "imagegen.provider.simulator.maxConcurrency=" + CONCURRENCY,
                "--set", "imagegen.inbox.stableMillis=100",
                "--set", "imagegen.inbox.pollDelayMillis=100",
                "--set", "imagegen.progress.interval=1h"));
        args.addAll(List.of(extra));
        return runs.launch(args);
    }

    private int finish(Process process) throws Exception {
        if (!process.waitFor(PROCESS_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("run " + runs.runs() + " did not end within " + PROCESS_LIMIT + "; log: " + runs.lastTail());
        }
        return process.exitValue();
    }

    private void waitForImages(Process process, int count) throws Exception {
        long deadline = System.nanoTime() + PROCESS_LIMIT.toNanos();
        while (images().size() < count) {
            if (!process.isAlive()) {
                throw new AssertionError("run " + runs.runs() + " ended with " + process.exitValue() + " before " + count
                        + " images existed; log: " + runs.lastTail());
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("no " + count + " images within " + PROCESS_LIMIT + "; log: " + runs.lastTail());
            }
            Thread.sleep(10);
        }
    }

    /** Requests of the killed process may still be answered; they count as billed once the simulator is done. */
    private void awaitSimulatorIdle() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (simulator.stats().path("inFlight").asInt() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(simulator.stats().path("inFlight").asInt()).isZero();
    }

    private void assertExactlyOneImagePerItemAndNothingElse() throws IOException {
        // .source names the prompt file that owns the batch folder (BatchFolders)
        TreeSet<String> expected = new TreeSet<>(List.of(".source", "manifest.jsonl", "report.json"));
        for (int line = 2; line <= ITEMS + 1; line++) {
            String id = String.format(Locale.ROOT, "%04d", line);
            expected.add(id + ".png");
            expected.add(id + ".json");
        }
        try (Stream<Path> files = Files.list(batchDir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .as("one image and one sidecar per item, no temporary or part files, no failed.jsonl")
                    .containsExactlyElementsOf(expected);
        }
        try (Stream<Path> leftovers = Files.list(runs.outbox.resolve(".tmp"))) {
            assertThat(leftovers.toList()).as("temporary files after a complete run").isEmpty();
        }
        assertThat(keyIndexEntries()).isEqualTo(ITEMS);
    }

    private List<String> images() throws IOException {
        if (!Files.isDirectory(batchDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(batchDir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png")).toList();
        }
    }

    private int keyIndexEntries() throws IOException {
        Path keys = runs.outbox.resolve(".keys");
        if (!Files.isDirectory(keys)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(keys)) {
            return (int) files.filter(p -> p.getFileName().toString().endsWith(".json")).count();
        }
    }

    private List<JsonNode> manifest() throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(batchDir.resolve("manifest.jsonl"))) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    private long billed() {
        return simulator.stats().path("imagesBilled").asLong();
    }

}
