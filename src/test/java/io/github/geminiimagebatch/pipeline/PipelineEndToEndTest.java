package io.github.geminiimagebatch.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The real application (Camel Main + routes/*.yaml) against the simulator over HTTP, one --once run per test. */
class PipelineEndToEndTest extends HarnessTest {

    @Test
    void textFileBecomesImagesSidecarsManifestAndReport() throws Exception {
        h.drop("cats.txt", "# cats\na cat on a sofa\n\na cat in the snow\nthird cat\n");

        assertThat(h.runOnce()).isEqualTo(0);

        Path batch = h.outbox.resolve("cats");
        for (String id : List.of("0002", "0004", "0005")) {
            Path image = batch.resolve(id + ".png");
            assertImage(image, 1024, 1024);
            JsonNode sidecar = h.json(batch.resolve(id + ".json"));
            assertThat(sidecar.path("provider").asText()).isEqualTo("simulator");
            assertThat(sidecar.path("model").asText()).isEqualTo("gemini-3.1-flash-image");
            assertThat(sidecar.path("mimeType").asText()).isEqualTo("image/png");
            assertThat(sidecar.path("width").asInt()).isEqualTo(1024);
            assertThat(sidecar.path("bytes").asLong()).isEqualTo(Files.size(image));
            assertThat(sidecar.path("sha256").asText()).isEqualTo(sha256(image));
            assertThat(sidecar.path("usage").path("imageTokens").asInt()).isEqualTo(1120);
            assertThat(sidecar.path("requestKey").asText()).hasSize(64);
            assertThat(sidecar.path("attempts").asInt()).isEqualTo(1);
        }
        assertThat(h.json(batch.resolve("0002.json")).path("prompt").asText()).isEqualTo("a cat on a sofa");
        List<JsonNode> manifest = h.manifest("cats");
        assertThat(manifest).extracting(l -> l.path("id").asText()).containsExactly("0002", "0004", "0005");
        assertThat(manifest).allSatisfy(l -> assertThat(l.path("status").asText()).isEqualTo("ok"));
        JsonNode report = h.json(batch.resolve("report.json"));
        assertThat(report.path("totals").path("ok").asInt()).isEqualTo(3);
        assertThat(report.path("totals").path("failed").asInt()).isZero();
        assertThat(report.path("providers").path("simulator").path("images").asInt()).isEqualTo(3);
        assertThat(report.path("costUsd").asDouble()).isGreaterThan(0);
        assertThat(batch.resolve("failed.jsonl")).doesNotExist();
        assertThat(h.inbox.resolve(".done").resolve("cats.txt")).exists();
        assertThat(h.inbox.resolve("cats.txt")).doesNotExist();
        assertThat(h.requests()).isEqualTo(3);
    }

    @Test
    void jsonlItemsCarryTheirOwnIdsSizesAndModels() throws Exception {
        h.drop("mixed.jsonl", String.join("\n",
                "{\"id\":\"wide\",\"prompt\":\"a wide valley\",\"aspectRatio\":\"16:9\",\"imageSize\":\"2K\"}",
                "{\"id\":\"tall\",\"prompt\":\"a tall tower\",\"aspectRatio\":\"9:16\",\"model\":\"gemini-2.5-flash-image\"}",
                "{\"prompt\":\"a square\"}") + "\n");

        assertThat(h.runOnce()).isEqualTo(0);

        Path batch = h.outbox.resolve("mixed");
        assertImage(batch.resolve("wide.png"), 2752, 1536);
        assertImage(batch.resolve("tall.png"), 768, 1344);
        assertImage(batch.resolve("0003.png"), 1024, 1024);
        assertThat(h.json(batch.resolve("tall.json")).path("usage").path("imageTokens").asInt()).isEqualTo(1290);
        assertThat(h.json(batch.resolve("wide.json")).path("imageSize").asText()).isEqualTo("2K");
    }

    @Test
    void csvAndJsonArrayFilesWork() throws Exception {
        h.drop("sheet.csv", "id,prompt,aspectRatio\nr1,\"a red, round apple\",4:3\nr2,a pear,\n");
        h.drop("list.json", "[{\"prompt\":\"first\"},{\"id\":\"second\",\"prompt\":\"second\",\"aspectRatio\":\"3:2\"}]");

        assertThat(h.runOnce()).isEqualTo(0);

        assertImage(h.outbox.resolve("sheet/r1.png"), 1200, 896);
        assertImage(h.outbox.resolve("sheet/r2.png"), 1024, 1024);
        assertThat(h.json(h.outbox.resolve("sheet/r1.json")).path("prompt").asText()).isEqualTo("a red, round apple");
        assertImage(h.outbox.resolve("list/0001.png"), 1024, 1024);
        assertImage(h.outbox.resolve("list/second.png"), 1264, 848);
        assertThat(h.inbox.resolve(".done/sheet.csv")).exists();
        assertThat(h.inbox.resolve(".done/list.json")).exists();
    }

    @Test
    void badLineAndBlockedPromptFailAloneAndExitCodeIsTwo() throws Exception {
        h.drop("some-bad.jsonl", String.join("\n",
                "{\"id\":\"good1\",\"prompt\":\"a boat\"}",
                "{\"id\":\"broken\",\"prompt\":",
                "{\"id\":\"unsafe\",\"prompt\":\"something [sim:safety]\"}",
                "{\"id\":\"good2\",\"prompt\":\"a plane\"}") + "\n");

        assertThat(h.runOnce()).isEqualTo(2);

        Path batch = h.outbox.resolve("some-bad");
        assertThat(batch.resolve("good1.png")).exists();
        assertThat(batch.resolve("good2.png")).exists();
        List<JsonNode> manifest = h.manifest("some-bad");
        assertThat(manifest).hasSize(4);
        JsonNode bad = manifest.get(1);
        assertThat(bad.path("status").asText()).isEqualTo("failed");
        assertThat(bad.path("reason").asText()).isEqualTo("invalid_input");
        assertThat(bad.path("message").asText()).contains("line 2");
        JsonNode unsafe = manifest.get(2);
        assertThat(unsafe.path("status").asText()).isEqualTo("failed");
        assertThat(unsafe.path("reason").asText()).isEqualTo("safety");
        List<String> failed = Files.readAllLines(batch.resolve("failed.jsonl"));
        assertThat(failed).hasSize(1);
        assertThat(Harness.JSON.readTree(failed.get(0)).path("id").asText()).isEqualTo("unsafe");
        JsonNode report = h.json(batch.resolve("report.json"));
        assertThat(report.path("totals").path("failed").asInt()).isEqualTo(2);
        assertThat(report.path("failedByReason").path("safety").asInt()).isEqualTo(1);
        assertThat(h.inbox.resolve(".done/some-bad.jsonl")).exists();
    }

    @Test
    void droppingTheSameFileAgainCostsNothing() throws Exception {
        String prompts = "one\ntwo\n";
        h.drop("again.txt", prompts);
        assertThat(h.runOnce()).isEqualTo(0);
        long requestsAfterFirstRun = h.requests();

        h.drop("again.txt", prompts);
        assertThat(h.runOnce()).isEqualTo(0);

        assertThat(h.requests()).isEqualTo(requestsAfterFirstRun);
        assertThat(h.manifest("again")).allSatisfy(l -> assertThat(l.path("status").asText()).isEqualTo("skipped"));
    }

    @Test
    void unreadableFileMovesToFailedWithAReason() throws Exception {
        Path file = h.inbox.resolve("binary.txt");
        Files.write(file, new byte[] {0, 1, 2, (byte) 0xff, 0, 0});
        h.drop("fine.txt", "a fine prompt\n");

        assertThat(h.runOnce()).isEqualTo(2);

        assertThat(h.inbox.resolve(".failed/binary.txt")).exists();
        assertThat(Files.readString(h.inbox.resolve(".failed/binary.txt.error.txt"))).contains("binary.txt");
        assertThat(h.outbox.resolve("fine/0001.png")).exists();
    }

    static void assertImage(Path file, int width, int height) throws IOException {
        assertThat(file).exists();
        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image).as("decodable image " + file).isNotNull();
        assertThat(image.getWidth()).isEqualTo(width);
        assertThat(image.getHeight()).isEqualTo(height);
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
