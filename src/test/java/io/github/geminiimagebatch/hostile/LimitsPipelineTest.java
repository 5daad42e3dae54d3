package io.github.geminiimagebatch.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every input limit lowered with --set in one real run: file-level limits move the file to .failed/
 * with a note, item-level limits fail that item as invalid_input, the rest of the batch is made,
 * and nothing crashes. Limits that cannot be used stop the command with one line before it starts.
 */
class LimitsPipelineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everyLimitLoweredBySetRefusesClearly() throws Exception {
        Path inbox = Files.createDirectories(root.resolve("inbox"));
        Path outbox = root.resolve("outbox");
        Path images = Files.createDirectories(inbox.resolve("images"));
        Files.copy(Corpus.COMMITTED.resolve("images/red.png"), images.resolve("red.png"));   // 73 bytes
        Files.copy(Corpus.COMMITTED.resolve("images/blue.jpg"), images.resolve("blue.jpg")); // 21 bytes
        Files.writeString(inbox.resolve("big.txt"), ("x".repeat(99) + "\n").repeat(11));       // 1,100 bytes
        Files.writeString(inbox.resolve("many.txt"), "a\nb\nc\nd\n");                          // 4 prompts
        Files.write(inbox.resolve("items.jsonl"), List.of(
                "{\"id\":\"short\",\"prompt\":\"a cat\"}",
                "{\"id\":\"long\",\"prompt\":\"a cat on a mat\"}",
                "{\"id\":\"one-ref\",\"prompt\":\"a cat\",\"referenceImages\":[\"images/blue.jpg\"]}",
                "{\"id\":\"two-refs\",\"prompt\":\"a cat\",\"referenceImages\":[\"images/blue.jpg\",\"images/blue.jpg\"]}",
                "{\"id\":\"big-ref\",\"prompt\":\"a dog\",\"referenceImages\":[\"images/red.png\"]}"));

        CapturedRun run;
        try (GeminiSimulator sim = GeminiSimulator.start(SimulatorOptions.builder().port(0).build())) {
            run = CapturedRun.execute("--once", "--inbox", inbox.toString(), "--outbox", outbox.toString(),
                    "--provider", "simulator",
                    "--set", "imagegen.provider.simulator.baseUrl=" + sim.baseUri(),
                    "--set", "imagegen.inbox.stableMillis=50",
                    "--set", "imagegen.inbox.pollDelayMillis=50",
                    "--set", "imagegen.limits.maxFileBytes=1000",
                    "--set", "imagegen.limits.maxItemsPerFile=5",
                    "--set", "imagegen.limits.maxPromptChars=10",
                    "--set", "imagegen.limits.maxReferenceImages=1",
                    "--set", "imagegen.limits.maxReferenceImageBytes=50");
        }

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(Files.readString(inbox.resolve(".failed/big.txt.error.txt")))
                .contains("is 1,100 bytes, over the limit of 1,000 bytes per prompt file");
        assertThat(inbox.resolve(".failed/big.txt")).exists();
        assertThat(inbox.resolve(".done/many.txt")).as("4 prompts are within 5").exists();

        Map<String, JsonNode> items = new HashMap<>();
        for (String line : Files.readAllLines(outbox.resolve("items/manifest.jsonl"))) {
            JsonNode node = JSON.readTree(line);
            items.put(node.path("id").asText(), node);
        }
        assertThat(items.get("short").path("status").asText()).isEqualTo("ok");
        assertThat(items.get("one-ref").path("status").asText()).isEqualTo("ok");
        assertFailed(items.get("long"), "'prompt' is 14 characters long, over the limit of 10");
        assertFailed(items.get("two-refs"), "it has 2 reference images, over the limit of 1");
        assertFailed(items.get("big-ref"), "reference image 'images/red.png' is 73 bytes, over the limit of 50");
        assertThat(run.output()).doesNotContain("Exception", "Internal error");
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void tooManyItemsRefusesTheFile() throws Exception {
        Path inbox = Files.createDirectories(root.resolve("inbox"));
        Files.writeString(inbox.resolve("many.txt"), "a\nb\nc\nd\n");
        Files.writeString(inbox.resolve("few.txt"), "a\nb\n");
        CapturedRun run;
        try (GeminiSimulator sim = GeminiSimulator.start(SimulatorOptions.builder().port(0).build())) {
            run = CapturedRun.execute("--once", "--inbox", inbox.toString(), "--outbox", root.resolve("outbox").toString(),
                    "--provider", "simulator",
                    "--set", "imagegen.provider.simulator.baseUrl=" + sim.baseUri(),
                    "--set", "imagegen.inbox.stableMillis=50",
                    "--set", "imagegen.inbox.pollDelayMillis=50",
                    "--set", "imagegen.limits.maxItemsPerFile=3");
        }
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(Files.readString(inbox.resolve(".failed/many.txt.error.txt")))
                .contains("has more than 3 prompts, the limit per file; split it into several files");
        assertThat(inbox.resolve(".done/few.txt")).exists();
        assertThat(root.resolve("outbox/few/0001.png")).exists();
    }

    @Test
    void unusableLimitsStopTheCommandWithOneLine() {
        for (String[] bad : List.of(
                new String[] {"imagegen.limits.maxFileBytes=2000000000", "The setting imagegen.limits.maxFileBytes must be at most"},
                new String[] {"imagegen.limits.maxPromptChars=lots", "imagegen.limits.maxPromptChars"},
                new String[] {"imagegen.limits.maxItemsPerFile=0", "imagegen.limits.maxItemsPerFile"})) {
            CapturedRun run = CapturedRun.execute("--once", "--inbox", root.resolve("inbox").toString(),
                    "--outbox", root.resolve("outbox").toString(), "--provider", "simulator",
                    "--set", "imagegen.provider.simulator.baseUrl=http://127.0.0.1:9", "--set", bad[0]);
            assertThat(run.exitCode()).as(bad[0]).isEqualTo(1);
            assertThat(run.output()).as(bad[0]).contains(bad[1]).doesNotContain("\tat ");
        }
    }

    private static void assertFailed(JsonNode line, String fragment) {
        assertThat(line.path("status").asText()).isEqualTo("failed");
        assertThat(line.path("reason").asText()).isEqualTo("invalid_input");
        assertThat(line.path("message").asText()).contains(fragment);
    }
}
