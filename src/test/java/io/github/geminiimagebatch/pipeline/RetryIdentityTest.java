package io.github.geminiimagebatch.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A retried item keeps its identity: it lands in its own batch folder and manifest, whatever the retry file
 * is called, and is paid for once (docs/resume.md, "Retrying failures"); the rule for failed items on a
 * re-drop, failed.jsonl and invalid.jsonl, and a closing line that names only files that exist.
 */
class RetryIdentityTest extends HarnessTest {

    /** The blocker of issue #20: two batches with the same ids, both retried through a file named failed.jsonl. */
    @Test
    void twoBatchesWithTheSameIdsRetriedThroughFailedJsonlKeepTheirOwnImages() throws Exception {
        // the simulator blocks the first request with these exact prompts and draws the image on the second
        String cow = "a cow [sim:safetyx1]";
        String elk = "an elk [sim:safetyx1]";
        String mix = "a fox\na hen\na pig\n" + cow + "\n";
        String other = "a bee\na cat\na dog\n" + elk + "\n";
        h.drop("mix.txt", mix);
        h.drop("other.txt", other);
        assertThat(h.runOnce()).isEqualTo(2);
        List<String> mixFailed = Files.readAllLines(h.outbox.resolve("mix/failed.jsonl"));
        assertThat(mixFailed).hasSize(1);
        assertThat(Harness.JSON.readTree(mixFailed.get(0)).path("batch").asText()).isEqualTo("mix");

        h.drop("failed.jsonl", Files.readString(h.outbox.resolve("mix/failed.jsonl")));
        assertThat(h.runOnce()).isZero();
        h.drop("failed.jsonl", Files.readString(h.outbox.resolve("other/failed.jsonl")));
        assertThat(h.runOnce()).isZero();

        assertThat(h.outbox.resolve("failed")).as("no batch of its own for a retry").doesNotExist();
        assertThat(h.json(h.outbox.resolve("mix/0004.json")).path("prompt").asText()).isEqualTo(cow);
        assertThat(h.json(h.outbox.resolve("other/0004.json")).path("prompt").asText()).isEqualTo(elk);
        assertThat(byId(h.manifest("mix"))).hasSize(4).allSatisfy((id, line) ->
                assertThat(line.path("status").asText()).as(id).isEqualTo("ok"));
        assertThat(byId(h.manifest("other"))).hasSize(4).allSatisfy((id, line) ->
                assertThat(line.path("status").asText()).as(id).isEqualTo("ok"));
        assertThat(h.outbox.resolve("mix/failed.jsonl")).as("nothing left to retry").doesNotExist();
        JsonNode billed = h.simulator.stats().path("billedByPrompt");
        for (String prompt : List.of("a fox", "a hen", "a pig", cow, "a bee", "a cat", "a dog", elk)) {
            assertThat(billed.path(prompt).asInt()).as(prompt).isEqualTo(1);
        }

        h.drop("mix.txt", mix);
        h.drop("other.txt", other);
        assertThat(h.plan()).contains("2 prompt file(s), 8 items, 8 already done", "0 to generate")
                .contains("mix.txt -> batch mix:", "other.txt -> batch other:");
        long before = h.requests();
        assertThat(h.runOnce()).isZero();
        assertThat(h.requests()).as("the plan was right: nothing to send").isEqualTo(before);
    }

    @Test
    void reDroppingAFinishedFileDoesNotSendItsFailedItemsAgainButItsFailedJsonlDoes() throws Exception {
        String shelf = "a vase\nsomething [sim:safety]\n";
        h.drop("shelf.txt", shelf);
        assertThat(h.runOnce()).isEqualTo(2);
        assertThat(h.requests()).isEqualTo(2);

        h.drop("shelf.txt", shelf);
        assertThat(h.plan()).contains("1 already done", "1 failed before (not sent again)", "0 to generate");
        assertThat(h.runOnce()).as("the failure stands, so the exit code says so again").isEqualTo(2);
        assertThat(h.requests()).as("docs/resume.md: a re-drop sends nothing, failed items keep their reason").isEqualTo(2);
        JsonNode kept = byId(h.manifest("shelf")).get("0002");
        assertThat(kept.path("status").asText()).isEqualTo("failed");
        assertThat(kept.path("reason").asText()).isEqualTo("safety");
        assertThat(kept.path("message").asText()).startsWith("failed before and not sent again (drop shelf/failed.jsonl");

        h.drop("retry-it.jsonl", Files.readString(h.outbox.resolve("shelf/failed.jsonl")));
        assertThat(h.plan()).contains("1 to generate");
        assertThat(h.runOnce()).isEqualTo(2);
        assertThat(h.requests()).as("failed.jsonl sends exactly its items").isEqualTo(3);
        assertThat(h.outbox.resolve("retry-it")).doesNotExist();
        Map<String, JsonNode> manifest = byId(h.manifest("shelf"));
        assertThat(manifest).hasSize(2);
        assertThat(manifest.get("0002").path("message").asText()).doesNotStartWith("failed before");
        assertThat(Files.readAllLines(h.outbox.resolve("shelf/failed.jsonl"))).hasSize(1);
    }

    @Test
    void invalidInputIsListedByLineAndReasonApartFromTheRetryableFailures() throws Exception {
        h.drop("mixed.jsonl", String.join("\n",
                "{\"id\":\"good\",\"prompt\":\"a boat\"}",
                "{\"id\":\"../escape\",\"prompt\":\"a car\"}",
                "{\"id\":\"unsafe\",\"prompt\":\"a plane [sim:safety]\"}",
                "{\"id\":\"blank\",\"prompt\":\"  \"}") + "\n");
        h.drop("only-bad.jsonl", "{\"prompt\":\"\"}\n");

        assertThat(h.runOnce()).isEqualTo(2);

        List<String> failed = Files.readAllLines(h.outbox.resolve("mixed/failed.jsonl"));
        assertThat(failed).hasSize(1);
        assertThat(Harness.JSON.readTree(failed.get(0)).path("id").asText()).isEqualTo("unsafe");
        List<JsonNode> invalid = jsonLines(h.outbox.resolve("mixed/invalid.jsonl"));
        assertThat(invalid).extracting(l -> l.path("line").asInt()).containsExactly(2, 4);
        assertThat(invalid).allSatisfy(l -> {
            assertThat(l.path("file").asText()).isEqualTo("mixed.jsonl");
            assertThat(l.path("reason").asText()).isEqualTo("invalid_input");
            assertThat(l.path("message").asText()).startsWith("line " + l.path("line").asInt() + ":");
        });
        assertThat(h.outbox.resolve("only-bad/failed.jsonl")).as("nothing in it could be retried as it is").doesNotExist();
        assertThat(h.outbox.resolve("only-bad/invalid.jsonl")).exists();
        String closing = closingLine();
        assertThat(closing).contains("failed.jsonl", "mixed/invalid.jsonl", "only-bad/invalid.jsonl")
                .doesNotContain("only-bad/failed.jsonl");
    }

    @Test
    void aRunWhoseEveryFileIsRefusedPointsAtNoReport() throws Exception {
        h.drop("empty.txt", "\n# nothing here\n");

        assertThat(h.runOnce()).isEqualTo(2);

        assertThat(closingLine()).contains("1 file(s) refused (see inbox/.failed)")
                .doesNotContain("report.json", "manifest.jsonl", "failed.jsonl");
    }

    @Test
    void aRetryLineTheBatchDoesNotKnowIsRefusedAndLeavesTheBatchAlone() throws Exception {
        h.drop("farm.txt", "a barn\na goat [sim:safety]\n");
        assertThat(h.runOnce()).isEqualTo(2);
        byte[] barn = Files.readAllBytes(h.outbox.resolve("farm/0001.png"));
        long before = h.requests();

        // a hand-made "retry" that would put another picture where the barn is, and one of an id farm never had
        h.drop("sneaky.jsonl", "{\"batch\":\"farm\",\"id\":\"0001\",\"prompt\":\"a tractor\"}\n"
                + "{\"batch\":\"farm\",\"id\":\"0099\",\"prompt\":\"a sheep\"}\n"
                + "{\"batch\":\"nowhere\",\"id\":\"0002\",\"prompt\":\"a goat [sim:safety]\"}\n");
        assertThat(h.runOnce()).isEqualTo(2);

        assertThat(h.requests()).isEqualTo(before);
        assertThat(Files.readAllBytes(h.outbox.resolve("farm/0001.png"))).isEqualTo(barn);
        assertThat(byId(h.manifest("farm")).keySet()).containsExactly("0001", "0002");
        List<JsonNode> invalid = jsonLines(h.outbox.resolve("farm/invalid.jsonl"));
        assertThat(invalid).extracting(l -> l.path("message").asText()).satisfiesExactly(
                m -> assertThat(m).contains("line 1", "made from a different request"),
                m -> assertThat(m).contains("line 2", "has no item '0099'"),
                m -> assertThat(m).contains("line 3", "names batch 'nowhere'", "retries batch 'farm'"));

        h.drop("lost.jsonl", "{\"batch\":\"gone\",\"id\":\"0001\",\"prompt\":\"a barn\"}\n");
        assertThat(h.runOnce()).isEqualTo(2);
        assertThat(Files.readString(h.inbox.resolve(".failed/lost.jsonl.error.txt")))
                .contains("retries batch 'gone'", "is not a batch folder");
    }

    private String closingLine() {
        return h.messages().stream().filter(m -> m.startsWith("Done")).reduce((first, second) -> second).orElseThrow();
    }

    private static List<JsonNode> jsonLines(Path file) throws IOException {
        List<JsonNode> lines = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            lines.add(Harness.JSON.readTree(line));
        }
        return lines;
    }

    private static Map<String, JsonNode> byId(List<JsonNode> manifest) {
        return Harness.byId(manifest);
    }
}
