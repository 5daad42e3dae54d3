package io.github.geminiimagebatch.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.geminiimagebatch.app.BatchApplication;
import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random sequences of drops, re-drops, failed.jsonl retries, interrupted runs and plans, each checked against
 * the bookkeeping's promises after every run: no image file is ever replaced by another request's image, no
 * prompt is billed twice, and the "to generate" of {@code plan} is exactly what the next run sends.
 *
 * <p>Every request gets its final answer at the first try (no 5xx, no quota), so "to generate" must equal the
 * requests sent. Failing prompts ("[sim:safetyx1]": blocked once, then drawn; "[sim:safety]": always blocked) are
 * new for each new file and come back through re-drops and retries; succeeding prompts come from a small pool so
 * that files share requests. A prompt file keeps its content for good: an edited file is a new request under an
 * old id, which docs/resume.md allows to replace the image. Interrupted runs stop the way SIGTERM does (requests
 * on their way finish), so every prompt is billed at most once; CrashResumeIT covers kill -9.
 */
class BookkeepingPropertyTest {

    private static final Pattern TO_GENERATE = Pattern.compile(", (\\d+) to generate\\R");
    private static final List<String> FILE_NAMES = List.of("mix.txt", "other.txt", "mix.jsonl", "zoo.txt", "Mix.txt");
    private static final int STEPS = 7;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {20, 21, 22})
    void everySequenceKeepsTheBooks(long seed) throws Exception {
        Random random = new Random(seed);
        try (Harness h = new Harness(tmp, SimulatorOptions.builder().port(0).latency(40, 20).seed(seed).build())) {
            Sequence sequence = new Sequence(h, random, seed);
            for (int step = 0; step < STEPS; step++) {
                sequence.changeInbox();
                if (random.nextInt(4) == 0) {
                    sequence.interruptedRun();
                } else {
                    sequence.plannedRun();
                }
                sequence.checkBooks();
            }
            sequence.plannedRun();
            sequence.checkBooks();
            assertThat(sequence.log).as("the sequence ran").isNotEmpty();
        }
    }

    private static final class Sequence {
        final Harness h;
        final Random random;
        final long seed;
        final Map<String, String> contentByFile = new LinkedHashMap<>();
        /** Every image's request key as first seen, by path in the outbox. */
        final Map<Path, String> keyByImage = new HashMap<>();
        final List<String> log = new ArrayList<>();
        int failingPrompts;
        int retries;

        Sequence(Harness h, Random random, long seed) {
            this.h = h;
            this.random = random;
            this.seed = seed;
        }

        /** One or two of: a new file, a finished file dropped again, a batch's failed.jsonl dropped as a retry. */
        void changeInbox() throws IOException {
            for (int change = 0, n = 1 + random.nextInt(2); change < n; change++) {
                int first = random.nextInt(3);
                // the chosen kind of change, or the next one that is possible now
                for (int k = 0; k < 3 && !change((first + k) % 3); k++) {
                    log.add("(nothing to " + (first + k) % 3 + ")");
                }
            }
        }

        private boolean change(int kind) throws IOException {
            if (kind == 0 && contentByFile.size() < FILE_NAMES.size()) {
                String name = FILE_NAMES.get(contentByFile.size());
                contentByFile.put(name, newContent(name));
                return dropUnlessWaiting(name, contentByFile.get(name));
            }
            if (kind == 1 && !contentByFile.isEmpty()) {
                String name = new ArrayList<>(contentByFile.keySet()).get(random.nextInt(contentByFile.size()));
                return dropUnlessWaiting(name, contentByFile.get(name));
            }
            return kind == 2 && retryOneBatch();
        }

        private String newContent(String name) {
            int items = 2 + random.nextInt(3);
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < items; i++) {
                String prompt = random.nextInt(3) == 0
                        ? "blocked " + seed + "-" + (++failingPrompts) + (random.nextBoolean() ? " [sim:safetyx1]" : " [sim:safety]")
                        : "pool " + seed + "-" + random.nextInt(6);
                text.append(name.endsWith(".jsonl") ? "{\"id\":\"i" + i + "\",\"prompt\":\"" + prompt + "\"}" : prompt)
                        .append('\n');
            }
            return text.toString();
        }

        private boolean retryOneBatch() throws IOException {
            List<Path> failed;
            try (Stream<Path> files = Files.exists(h.outbox) ? Files.list(h.outbox) : Stream.empty()) {
                failed = files.map(folder -> folder.resolve("failed.jsonl")).filter(Files::isRegularFile).sorted().toList();
            }
            if (failed.isEmpty()) {
                return false;
            }
            Path chosen = failed.get(random.nextInt(failed.size()));
            String name = random.nextBoolean() ? "failed.jsonl" : "retry-" + (++retries) + ".jsonl";
            return dropUnlessWaiting(name, Files.readString(chosen));
        }

        private boolean dropUnlessWaiting(String name, String content) throws IOException {
            if (Files.exists(h.inbox.resolve(name))) {
                return false;
            }
            h.drop(name, content);
            log.add("drop " + name);
            return true;
        }

        /** Plans, then runs: the run sends exactly what the plan said it would generate. */
        void plannedRun() {
            String plan = h.plan();
            Matcher planned = TO_GENERATE.matcher(plan);
            assertThat(planned.find()).as(plan).isTrue();
            long before = h.requests();
            int exit = h.runOnce("--set", "imagegen.concurrency=2");
            log.add("run -> " + exit);
            assertThat(exit).as(String.join(", ", log)).isIn(0, 2);
            assertThat(h.requests() - before).as("requests sent against the plan, after " + String.join(", ", log)
                    + "\n" + plan).isEqualTo(Long.parseLong(planned.group(1)));
        }

        /** A run stopped as soon as it has sent something (SIGTERM's path: nothing new is sent, pending stays). */
        void interruptedRun() throws Exception {
            long before = h.requests();
            Map<String, String> flags = new LinkedHashMap<>();
            flags.put("imagegen.once", "true");
            flags.put("imagegen.inbox", h.inbox.toString());
            flags.put("imagegen.outbox", h.outbox.toString());
            flags.put("imagegen.providers", "simulator");
            flags.put("imagegen.provider.simulator.baseUrl", h.simulator.baseUri().toString());
            flags.put("imagegen.inbox.stableMillis", "100");
            flags.put("imagegen.inbox.pollDelayMillis", "100");
            flags.put("imagegen.progress.interval", "1h");
            flags.put("imagegen.concurrency", "2");
            flags.put("camel.management.port", Integer.toString(ObserveEndpointsTest.freePort()));
            Path home = Path.of("").toAbsolutePath();
            BatchApplication app = new BatchApplication(Settings.load(flags, Map.of(), null,
                    home.resolve("config").resolve("application.properties")), home, Clock.systemUTC());
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return app.run();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!run.isDone() && h.requests() == before && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            if (!run.isDone() && app.main() != null) {
                app.main().completed();
            }
            int exit = run.get(60, TimeUnit.SECONDS);
            log.add("interrupted run -> " + exit);
        }

        /** No image replaced by another request's; no prompt billed twice (stopped runs finish what they sent). */
        void checkBooks() throws IOException {
            try (Stream<Path> files = Files.exists(h.outbox) ? Files.walk(h.outbox) : Stream.empty()) {
                for (Path sidecar : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                    if (sidecar.getParent().getParent().equals(h.outbox) && Files.exists(imageOf(sidecar))) {
                        String key = Harness.JSON.readTree(sidecar.toFile()).path("requestKey").asText();
                        String first = keyByImage.putIfAbsent(imageOf(sidecar), key);
                        assertThat(first == null ? key : first).as(sidecar + " after " + String.join(", ", log))
                                .isEqualTo(key);
                    }
                }
            }
            JsonNode billed = h.simulator.stats().path("billedByPrompt");
            billed.fields().forEachRemaining(e -> assertThat(e.getValue().asLong())
                    .as("billed for '" + e.getKey() + "' after " + String.join(", ", log)).isLessThanOrEqualTo(1));
        }

        private static Path imageOf(Path sidecar) {
            String name = sidecar.getFileName().toString();
            return sidecar.resolveSibling(name.substring(0, name.length() - ".json".length()) + ".png");
        }
    }
}
