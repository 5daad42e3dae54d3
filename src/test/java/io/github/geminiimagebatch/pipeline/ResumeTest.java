package io.github.geminiimagebatch.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Outputs that cannot be written leave items pending (never ok, never a request sent for nothing
 * after the first failure), and a later run finishes them; failed.jsonl retries exactly the failed items.
 */
class ResumeTest extends HarnessTest {

    @Test
    void anImageThatCannotBeStoredStaysPendingStopsFurtherRequestsAndIsStoredNextRunWithoutPayingAgain() throws Exception {
        h.drop("shelf.txt", "one\ntwo\nthree\nfour\nfive\nsix\n");
        Path blocked = blockImage("shelf/0003.png");

        // one item at a time, so "after the failure" is well defined: 0001, 0002 stored, 0003 paid and not storable
        assertThat(h.runOnce("--set", "imagegen.concurrency=1")).isEqualTo(1);

        Map<String, JsonNode> manifest = byId(h.manifest("shelf"));
        assertThat(manifest.get("0001").path("status").asText()).isEqualTo("ok");
        assertThat(manifest.get("0002").path("status").asText()).isEqualTo("ok");
        JsonNode failed = manifest.get("0003");
        assertThat(failed.path("status").asText()).isEqualTo("pending");
        assertThat(failed.path("reason").asText()).isEqualTo("output_error");
        assertThat(failed.path("message").asText()).contains("could not store the image", "shelf/0003.png",
                "Is a directory", "kept in outbox/.state/unstored", "stored next time without a new request");
        String key = failed.path("requestKey").asText();
        Path kept = h.outbox.resolve(".state/unstored");
        assertThat(kept.resolve(key + ".png")).isRegularFile();
        assertThat(h.json(kept.resolve(key + ".json")).path("sha256").asText())
                .isEqualTo(sha256(kept.resolve(key + ".png")));
        for (String id : List.of("0004", "0005", "0006")) {
            assertThat(manifest.get(id).path("status").asText()).as(id).isEqualTo("pending");
            assertThat(manifest.get(id).path("message").asText()).as(id).contains("not sent because outputs cannot be written");
        }
        assertThat(h.requests()).as("nothing is sent after the first image that could not be stored").isEqualTo(3);
        assertThat(h.json(h.outbox.resolve("shelf/report.json")).path("totals").path("pending").asInt()).isEqualTo(4);
        assertThat(h.inbox.resolve("shelf.txt")).exists();
        assertThat(messages()).anySatisfy(m -> assertThat(m).contains("Stopped:", "Fix the outbox and run again")
                .containsIgnoringCase("cannot write to the outbox"));

        assertThat(h.plan()).as("the kept answer counts as done for plan too")
                .contains("6 items, 3 already done", "3 to generate");

        unblock(blocked);
        assertThat(h.runOnce()).isEqualTo(0);

        manifest = byId(h.manifest("shelf"));
        assertThat(manifest.values()).extracting(l -> l.path("status").asText())
                .containsExactly("skipped", "skipped", "ok", "ok", "ok", "ok");
        assertThat(manifest.get("0003").path("message").asText()).contains("paid for earlier", "nothing was sent");
        assertThat(manifest.get("0003").path("provider").asText()).isEqualTo("simulator");
        assertThat(h.requests()).as("3 in the first run, 3 in the second: the kept answer of 0003 is not paid again")
                .isEqualTo(6);
        assertThat(h.simulator.stats().path("imagesBilled").asLong()).isEqualTo(6);
        JsonNode sidecar = h.json(h.outbox.resolve("shelf/0003.json"));
        assertThat(sidecar.path("sha256").asText()).isEqualTo(sha256(h.outbox.resolve("shelf/0003.png")));
        assertThat(sidecar.path("requestKey").asText()).isEqualTo(key);
        assertThat(sidecar.path("attempts").asInt()).isEqualTo(1);
        assertThat(h.json(h.outbox.resolve(".keys/" + key.substring(0, 2) + "/" + key + ".json")).path("image").asText())
                .isEqualTo("shelf/0003.png");
        try (Stream<Path> left = Files.list(kept)) {
            assertThat(left).as("the kept answer is let go once stored").isEmpty();
        }
        assertThat(h.inbox.resolve(".done/shelf.txt")).exists();
    }

    @Test
    void aBatchFolderThatCannotBeCreatedSendsNothingAndKeepsThePromptFile() throws Exception {
        h.drop("shelf.txt", "one\ntwo\n");
        Files.createDirectories(h.outbox);
        Files.writeString(h.outbox.resolve("shelf"), "a file where the batch folder should go");

        assertThat(h.runOnce()).isEqualTo(1);

        assertThat(h.requests()).isZero();
        assertThat(h.inbox.resolve("shelf.txt")).exists();
        assertThat(h.inbox.resolve(".failed")).doesNotExist();
        assertThat(messages()).anySatisfy(m -> assertThat(m).contains("cannot create the batch folder for shelf.txt",
                "outbox/shelf", "shelf.txt stays in the inbox"));
        assertThat(messages()).anySatisfy(m -> assertThat(m).contains("Stopped: 0 ok, 0 skipped, 0 failed, 2 pending"));

        Files.delete(h.outbox.resolve("shelf"));
        assertThat(h.runOnce()).isEqualTo(0);
        assertThat(h.manifest("shelf")).extracting(l -> l.path("status").asText()).containsExactly("ok", "ok");
        assertThat(h.requests()).isEqualTo(2);
    }

    @Test
    void anAnswerThatCannotBeWrittenLocallyIsNotRetriedAsAServerError() throws Exception {
        h.drop("slow.txt", "a slow answer [sim:latency=1500]\nanother one\n");
        Thread saboteur = new Thread(() -> {
            try {
                while (h.simulator.stats().path("inFlight").asInt() == 0) {
                    Thread.sleep(5);
                }
                // while the first answer is on its way, the temporary folder becomes unusable
                Path work = h.outbox.resolve(".tmp");
                try (var leftovers = Files.list(work)) {
                    for (Path p : leftovers.toList()) {
                        Files.delete(p);
                    }
                }
                Files.delete(work);
                Files.writeString(work, "a file where the temporary folder should be");
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        saboteur.start();

        int code = h.runOnce("--set", "imagegen.concurrency=1");
        saboteur.join();

        assertThat(code).isEqualTo(1);
        assertThat(h.requests()).as("not retried five times at the price of an image each").isEqualTo(1);
        Map<String, JsonNode> manifest = byId(h.manifest("slow"));
        assertThat(manifest.get("0001").path("status").asText()).isEqualTo("pending");
        assertThat(manifest.get("0001").path("reason").asText()).isEqualTo("output_error");
        assertThat(manifest.get("0001").path("message").asText()).contains("cannot write the answer to", ".tmp");
        assertThat(manifest.get("0002").path("status").asText()).isEqualTo("pending");

        Files.delete(h.outbox.resolve(".tmp"));
        assertThat(h.runOnce()).isEqualTo(0);
        assertThat(h.manifest("slow")).extracting(l -> l.path("status").asText()).containsExactly("ok", "ok");
    }

    @Test
    void droppingFailedJsonlRetriesExactlyTheFailedItems() throws Exception {
        // the simulator answers 500 to the first two requests with this exact prompt, then succeeds
        h.drop("flaky.txt", "steady one\nwobbly [sim:500x2]\nsteady two\n");

        assertThat(h.runOnce("--set", "imagegen.retry.maxAttempts=2")).isEqualTo(2);

        Map<String, JsonNode> first = byId(h.manifest("flaky"));
        assertThat(first.get("0002").path("status").asText()).isEqualTo("failed");
        assertThat(first.get("0002").path("reason").asText()).isEqualTo("retries_exhausted");
        Path failedPrompts = h.outbox.resolve("flaky/failed.jsonl");
        assertThat(Files.readAllLines(failedPrompts)).hasSize(1);
        long requestsBefore = h.requests();
        assertThat(requestsBefore).isEqualTo(4);

        h.drop("flaky-retry.jsonl", Files.readString(failedPrompts));
        assertThat(h.runOnce("--set", "imagegen.retry.maxAttempts=2")).isEqualTo(0);

        assertThat(h.requests() - requestsBefore).as("only the failed item is sent again").isEqualTo(1);
        assertThat(h.outbox.resolve("flaky-retry")).as("the retry goes back into its own batch").doesNotExist();
        Map<String, JsonNode> retried = byId(h.manifest("flaky"));
        assertThat(retried.keySet()).containsExactly("0001", "0002", "0003");
        assertThat(retried.values()).extracting(l -> l.path("status").asText()).containsOnly("ok");
        assertThat(h.json(h.outbox.resolve("flaky/0002.json")).path("prompt").asText()).isEqualTo("wobbly [sim:500x2]");
        assertThat(h.outbox.resolve("flaky/failed.jsonl")).doesNotExist();
        assertThat(h.simulator.stats().path("billedByPrompt").path("wobbly [sim:500x2]").asInt()).isEqualTo(1);
    }

    @Test
    void anImageReplacedByAnotherRequestIsMadeAgainWhenTheFirstRequestComesBack() throws Exception {
        String prompts = "a harbour\na bridge\n";
        h.drop("town.txt", prompts);
        assertThat(h.runOnce()).isEqualTo(0);
        h.drop("town.txt", prompts);
        assertThat(h.runOnce("--set", "imagegen.imageSize=2K")).isEqualTo(0);
        PipelineEndToEndTest.assertImage(h.outbox.resolve("town/0001.png"), 2048, 2048);
        long requestsBefore = h.requests();

        h.drop("town.txt", prompts);
        assertThat(h.runOnce()).isEqualTo(0);

        assertThat(h.requests() - requestsBefore).as("the 1K images were overwritten by the 2K run").isEqualTo(2);
        assertThat(h.manifest("town")).extracting(l -> l.path("status").asText()).containsExactly("ok", "ok");
        PipelineEndToEndTest.assertImage(h.outbox.resolve("town/0001.png"), 1024, 1024);
    }

    @Test
    void placeholdersOfTheBuiltInSimulatorDoNotCountOnceARealProviderIsConfigured() throws Exception {
        String prompts = "a real cat\na real dog\n";
        h.drop("pets.txt", prompts);
        assertThat(h.runOnce()).isEqualTo(0);
        assertThat(h.requests()).isEqualTo(2);

        String[] gateway = gatewayRun();
        h.drop("pets.txt", prompts);
        assertThat(io.github.geminiimagebatch.cli.GeminiImageBatch.execute(gateway)).isEqualTo(0);
        assertThat(h.requests()).as("placeholders are made again for real").isEqualTo(4);
        assertThat(h.manifest("pets")).extracting(l -> l.path("status").asText()).containsExactly("ok", "ok");
        assertThat(h.json(h.outbox.resolve("pets/0001.json")).path("providerType").asText()).isEqualTo("gateway");

        h.drop("pets.txt", prompts);
        assertThat(io.github.geminiimagebatch.cli.GeminiImageBatch.execute(gateway)).isEqualTo(0);
        assertThat(h.requests()).as("real images are paid once").isEqualTo(4);
        h.drop("pets.txt", prompts);
        assertThat(h.runOnce()).isEqualTo(0);
        assertThat(h.requests()).as("and count for a simulator run too").isEqualTo(4);
    }

    @Test
    void aDuplicateLaterInTheSameRunStoresTheKeptAnswerInsteadOfPayingAgain() throws Exception {
        h.drop("twins.txt", "the same owl\nthe same owl\n");
        Path blocked = blockImage("twins/0001.png");

        // one item at a time, so 0001 is the one sent (with more, either may take the key first)
        assertThat(h.runOnce("--set", "imagegen.concurrency=1")).isEqualTo(1);

        Map<String, JsonNode> manifest = byId(h.manifest("twins"));
        assertThat(manifest.get("0001").path("status").asText()).isEqualTo("pending");
        assertThat(manifest.get("0002").path("status").asText()).isEqualTo("ok");
        assertThat(manifest.get("0002").path("message").asText()).contains("nothing was sent");
        assertThat(h.requests()).as("one request for the two: the second stored the kept answer")
                .isEqualTo(1);
        JsonNode sidecar = h.json(h.outbox.resolve("twins/0002.json"));
        assertThat(sidecar.path("id").asText()).isEqualTo("0002");
        assertThat(sidecar.path("costUsd").asDouble()).isPositive();
        assertThat(h.json(h.outbox.resolve("twins/report.json")).path("costUsd").asDouble()).as("paid once, counted once")
                .isCloseTo(sidecar.path("costUsd").asDouble(), org.assertj.core.api.Assertions.within(0.0001));
        assertThat(h.outbox.resolve(".state/unstored")).isEmptyDirectory();
    }

    @Test
    void aDuplicateWaitingOnTheKeyGetsTheKeptAnswerAndNeverASecondRequest() throws Exception {
        // the same request twice, sent together: one takes the key and waits 500 ms for its answer, the other waits on it
        h.drop("pair.txt", "a slow heron [sim:latency=500]\na slow heron [sim:latency=500]\n");
        List<Path> blocked = new java.util.ArrayList<>();
        for (String id : List.of("0001", "0002")) {
            blocked.add(blockImage("pair/" + id + ".png"));
        }

        assertThat(h.runOnce("--set", "imagegen.concurrency=2")).isEqualTo(1);
        assertThat(h.manifest("pair")).extracting(l -> l.path("status").asText()).containsOnly("pending");
        assertThat(h.requests()).isEqualTo(1);
        assertThat(h.outbox.resolve(".state/unstored")).isNotEmptyDirectory();

        for (Path dir : blocked) {
            unblock(dir);
        }
        assertThat(h.runOnce("--set", "imagegen.concurrency=2")).isEqualTo(0);
        assertThat(h.manifest("pair")).extracting(l -> l.path("status").asText()).containsExactlyInAnyOrder("ok", "skipped");
        assertThat(h.requests()).as("one answer, paid once, stored once").isEqualTo(1);
        assertThat(h.outbox.resolve(".state/unstored")).isEmptyDirectory();
    }

    @Test
    void aKeptPlaceholderOfTheBuiltInSimulatorIsMadeForRealByARealProvider() throws Exception {
        h.drop("yard.txt", "a real fox\n");
        Path blocked = blockImage("yard/0001.png");
        assertThat(h.runOnce()).isEqualTo(1);
        assertThat(h.outbox.resolve(".state/unstored")).isNotEmptyDirectory();
        unblock(blocked);

        String[] gateway = gatewayRun();
        assertThat(io.github.geminiimagebatch.cli.GeminiImageBatch.execute(gateway)).isEqualTo(0);

        assertThat(h.requests()).as("the simulator's kept placeholder does not stand in for a real image").isEqualTo(2);
        assertThat(h.json(h.outbox.resolve("yard/0001.json")).path("providerType").asText()).isEqualTo("gateway");
        assertThat(h.outbox.resolve(".state/unstored")).isEmptyDirectory();
    }

    /** The same simulator, but spoken to as a Gemini-compatible gateway: a "real" provider. */
    private String[] gatewayRun() {
        return new String[] {"--once", "--inbox", h.inbox.toString(), "--outbox", h.outbox.toString(),
                "--provider", "gw", "--set", "imagegen.provider.gw.type=gateway",
                "--set", "imagegen.provider.gw.baseUrl=" + h.simulator.baseUri(),
                "--set", "imagegen.provider.gw.apiKey=test-key-not-secret",
                "--set", "imagegen.inbox.stableMillis=100", "--set", "imagegen.inbox.pollDelayMillis=100",
                "--set", "imagegen.progress.interval=1h"};
    }

    /** A folder, with a file in it, where the image should go: storing the image fails with "Is a directory". */
    private Path blockImage(String image) throws IOException {
        Path blocked = Files.createDirectories(h.outbox.resolve(image));
        Files.writeString(blocked.resolve("keep.txt"), "a folder where the image should go");
        return blocked;
    }

    private static void unblock(Path blocked) throws IOException {
        Files.delete(blocked.resolve("keep.txt"));
        Files.delete(blocked);
    }

    static String sha256(Path file) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(file)));
    }

    private List<String> messages() {
        return h.messages();
    }

    private static Map<String, JsonNode> byId(List<JsonNode> manifest) {
        return Harness.byId(manifest);
    }
}
