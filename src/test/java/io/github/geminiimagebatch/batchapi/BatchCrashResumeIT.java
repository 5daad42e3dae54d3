package io.github.geminiimagebatch.batchapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import io.github.geminiimagebatch.testing.JarRuns;
import io.github.geminiimagebatch.testing.Manifests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar in Batch API mode as a separate process, killed (SIGKILL) right after the simulator has
 * created its job and long before the job ends; the restart must not create a second job and must finish from
 * the first. Runs in the integration-test phase, after {@code package}.
 */
class BatchCrashResumeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ITEMS = 40;
    private static final String BATCH = "coasts";
    private static final Duration PROCESS_LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;
    JarRuns runs;

    @BeforeEach
    void start() throws IOException {
        runs = new JarRuns(tmp, SimulatorOptions.builder().port(0).batchTurnaround(Duration.ofSeconds(6)).build());
    }

    @AfterEach
    void stop() {
        runs.close();
    }

    /**
     * {@code created}: killed the moment the simulator has the job, usually before its name is recorded (the restart
     * finds it by listing); {@code recorded}: killed once the job's name is in outbox/.state (the restart polls it).
     */
    @ParameterizedTest(name = "kill -9 when the job is {0}")
    @ValueSource(strings = {"created", "recorded"})
    void killNineRightAfterTheJobWasCreatedThenRestartPollsThatJobAndCreatesNoOther(String killWhen) throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= ITEMS; i++) {
            text.append("a rocky coast at dawn, number ").append(i).append('\n');
        }
        runs.drop(BATCH + ".txt", text);
        GeminiSimulator simulator = runs.simulator;

        Process first = launch();
        long deadline = System.nanoTime() + PROCESS_LIMIT.toNanos();
        while (simulator.stats().at("/batches/created").asLong() == 0 || (killWhen.equals("recorded") && !recordState().equals("named"))) {
            assertThat(first.isAlive()).as("first run still working; log: " + runs.log(1)).isTrue();
            assertThat(System.nanoTime()).as("a job within " + PROCESS_LIMIT).isLessThan(deadline);
            Thread.sleep(5);
        }
        first.destroyForcibly();
        assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String recordAtKill = recordState();
        assertThat(simulator.stats().at("/batches/byState/succeeded").asLong()).as("killed before the job ended").isZero();
        assertThat(simulator.stats().at("/batches/imagesBilled").asLong()).isZero();

        Process second = launch();
        assertThat(second.waitFor(PROCESS_LIMIT.toSeconds(), TimeUnit.SECONDS)).as("second run ends; log: " + runs.log(2)).isTrue();
        assertThat(second.exitValue()).as("exit code; log: " + runs.log(2)).isZero();

        JsonNode stats = simulator.stats();
        assertThat(stats.at("/batches/created").asLong()).as("no second job; log: " + runs.log(2)).isEqualTo(1);
        assertThat(stats.at("/batches/imagesBilled").asLong()).isEqualTo(ITEMS);
        assertThat(stats.path("requests").asLong()).as("no interactive call").isZero();
        List<JsonNode> manifest = Manifests.read(runs.outbox, BATCH);
        assertThat(manifest).hasSize(ITEMS).allSatisfy(line -> assertThat(line.path("status").asText()).isEqualTo("ok"));
        try (Stream<Path> images = Files.list(runs.outbox.resolve(BATCH))) {
            assertThat(images.filter(p -> p.toString().endsWith(".png")).count()).isEqualTo(ITEMS);
        }
        assertThat(runs.log(2)).contains("from an earlier run");
        System.out.printf(Locale.ROOT, "batch kill -9 when the job is " + killWhen + ": record at the kill %s; restart created %d job(s) in total,"
                + " billed %d images for %d items%n", recordAtKill, stats.at("/batches/created").asLong(),
                stats.at("/batches/imagesBilled").asLong(), ITEMS);
    }

    /** "named" when the job's name was recorded before the kill, "unnamed" when only the intent was (found by listing). */
    private String recordState() throws IOException {
        Path dir = runs.outbox.resolve(".state/batch-jobs/batch");
        if (!Files.isDirectory(dir)) {
            return "absent";
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> records = files.filter(p -> p.toString().endsWith(".json")).toList();
            if (records.isEmpty()) {
                return "absent";
            }
            return JSON.readTree(records.get(0).toFile()).hasNonNull("name") ? "named" : "unnamed";
        }
    }

    private Process launch() throws IOException {
        return runs.launch(List.of("--provider", "batch",
                "--set", "imagegen.provider.batch.type=gateway",
                "--set", "imagegen.provider.batch.apiKey=crash-test-key",
                "--set", "imagegen.provider.batch.baseUrl=" + runs.simulator.baseUri(),
                "--set", "imagegen.provider.batch.mode=batch",
                "--set", "imagegen.provider.batch.batch.maxItems=" + ITEMS,
                "--set", "imagegen.provider.batch.batch.maxWait=2s",
                "--set", "imagegen.provider.batch.batch.pollInterval=200ms",
                "--set", "imagegen.inbox.stableMillis=100",
                "--set", "imagegen.inbox.pollDelayMillis=100",
                "--set", "imagegen.progress.interval=1h",
                "--set", "camel.management.port=" + BatchModeEndToEndTest.freePort()));
    }
}
