package io.github.geminiimagebatch.output;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.simulator.ImageMode;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The real application (--once, simulator over HTTP) with S3 output into an in-process S3Proxy. */
class S3OutputEndToEndTest {

    private static final String BUCKET = "images";

    @TempDir
    Path dir;

    private S3ProxyServer store;
    private S3Client s3;

    @BeforeEach
    void startStore() throws Exception {
        store = S3ProxyServer.start(BUCKET);
        s3 = S3Sink.buildClient(S3Settings.from(Settings.of(Map.of(
                "imagegen.output.s3.enabled", "true",
                "imagegen.output.s3.bucket", BUCKET,
                "imagegen.output.s3.endpoint", store.endpoint(),
                "imagegen.output.s3.pathStyle", "true",
                "imagegen.output.s3.checksum", "when_required",
                "imagegen.output.s3.accessKey", S3ProxyServer.ACCESS_KEY,
                "imagegen.output.s3.secretKey", S3ProxyServer.SECRET_KEY))).orElseThrow());
    }

    @AfterEach
    void stopStore() throws Exception {
        s3.close();
        store.close();
    }

    private String[] s3Args(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "--set", "imagegen.output.s3.enabled=true",
                "--set", "imagegen.output.s3.bucket=" + BUCKET,
                "--set", "imagegen.output.s3.prefix=runs/2026",
                "--set", "imagegen.output.s3.endpoint=" + store.endpoint(),
                "--set", "imagegen.output.s3.pathStyle=true",
                "--set", "imagegen.output.s3.checksum=when_required",
                "--set", "imagegen.output.s3.accessKey=" + S3ProxyServer.ACCESS_KEY,
                "--set", "imagegen.output.s3.secretKey=" + S3ProxyServer.SECRET_KEY));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void imagesSidecarsReportsAndKeyIndexLandInTheBucketAsInTheFolder() throws Exception {
        try (AppRun app = new AppRun(dir, SimulatorOptions.builder().port(0).build())) {
            app.dropPrompts("cats.txt", 4);
            Path outbox = dir.resolve("outbox");

            assertThat(app.runOnce(outbox, s3Args())).isZero();

            List<String> keys = keys("runs/2026/");
            assertThat(keys).contains("runs/2026/cats/manifest.jsonl", "runs/2026/cats/report.json")
                    .doesNotContain("runs/2026/cats/failed.jsonl");
            for (String id : List.of("0001", "0002", "0003", "0004")) {
                JsonNode sidecar = AppRun.JSON.readTree(object("runs/2026/cats/" + id + ".json").asByteArray());
                assertThat(sidecar).isEqualTo(AppRun.JSON.readTree(outbox.resolve("cats/" + id + ".json").toFile()));
                ResponseBytes<GetObjectResponse> image = object("runs/2026/cats/" + id + ".png");
                assertThat(image.asByteArray()).isEqualTo(Files.readAllBytes(outbox.resolve("cats/" + id + ".png")));
                assertThat(sha256(image.asByteArray())).isEqualTo(sidecar.get("sha256").asText());
                assertThat(image.response().contentType()).isEqualTo("image/png");
                assertThat(image.response().contentLength()).isEqualTo(sidecar.get("bytes").asLong());
                assertThat(image.response().metadata())
                        .containsEntry("request-key", sidecar.get("requestKey").asText())
                        .containsEntry("sha256", sidecar.get("sha256").asText())
                        .containsEntry("batch", "cats")
                        .containsEntry("id", id);
                String requestKey = sidecar.get("requestKey").asText();
                JsonNode index = AppRun.JSON.readTree(object("runs/2026/" + KeyIndex.entryName(requestKey)).asByteArray());
                assertThat(index.get("image").asText()).isEqualTo("cats/" + id + ".png");
            }
            ResponseBytes<GetObjectResponse> manifest = object("runs/2026/cats/manifest.jsonl");
            assertThat(manifest.response().contentType()).isEqualTo("application/x-ndjson");
            assertThat(AppRun.jsonLines(manifest.asUtf8String())).hasSize(4)
                    .allSatisfy(line -> assertThat(line.get("status").asText()).isEqualTo("ok"));
            assertThat(AppRun.JSON.readTree(object("runs/2026/cats/report.json").asByteArray()).toString()).contains("\"ok\":4");
        }
    }

    @Test
    void withFileOutputOffTheBucketAloneHoldsTheResultsAndARerunSkipsEverythingFromItsKeyIndex() throws Exception {
        try (AppRun app = new AppRun(dir, SimulatorOptions.builder().port(0).build())) {
            app.dropPrompts("dogs.txt", 3);
            Path firstOutbox = dir.resolve("outbox-1");

            assertThat(app.runOnce(firstOutbox, s3Args("--set", "imagegen.output.file.enabled=false"))).isZero();

            assertThat(keys("runs/2026/dogs/")).contains("runs/2026/dogs/0001.png", "runs/2026/dogs/0002.png",
                    "runs/2026/dogs/0003.png", "runs/2026/dogs/0003.json", "runs/2026/dogs/manifest.jsonl");
            try (Stream<Path> local = Files.walk(firstOutbox)) {
                assertThat(local.map(p -> p.getFileName().toString()))
                        .noneMatch(name -> name.endsWith(".png"))
                        .noneMatch(name -> name.startsWith("000") && name.endsWith(".json"));
            }
            assertThat(Files.exists(firstOutbox.resolve(".keys"))).isFalse();
            long requestsAfterFirstRun = app.requests();
            assertThat(requestsAfterFirstRun).isEqualTo(3);

            app.redrop();
            Path freshOutbox = dir.resolve("outbox-2");
            assertThat(app.runOnce(freshOutbox, s3Args("--set", "imagegen.output.file.enabled=false"))).isZero();

            assertThat(app.requests()).isEqualTo(requestsAfterFirstRun);
            List<JsonNode> manifest = AppRun.jsonLines(object("runs/2026/dogs/manifest.jsonl").asUtf8String());
            assertThat(manifest).hasSize(3).allSatisfy(line -> assertThat(line.get("status").asText()).isEqualTo("skipped"));
        }
    }

    @Test
    void imagesAboveThePartSizeGoUpInPartsAndArriveWhole() throws Exception {
        try (AppRun app = new AppRun(dir, SimulatorOptions.builder().port(0).imageMode(ImageMode.NOISE).build())) {
            app.drop("big.jsonl", "{\"id\":\"wide\",\"prompt\":\"static\",\"imageSize\":\"2K\",\"aspectRatio\":\"1:1\"}\n");

            assertThat(app.runOnce(dir.resolve("outbox"), s3Args("--set", "imagegen.output.s3.partSize=5242880",
                    "--set", "imagegen.output.file.enabled=false"))).isZero();

            JsonNode sidecar = AppRun.JSON.readTree(object("runs/2026/big/wide.json").asByteArray());
            assertThat(sidecar.get("bytes").asLong()).isGreaterThan(2 * 5_242_880L);
            ResponseBytes<GetObjectResponse> image = object("runs/2026/big/wide.png");
            assertThat(image.response().contentLength()).isEqualTo(sidecar.get("bytes").asLong());
            assertThat(image.response().contentType()).isEqualTo("image/png");
            assertThat(sha256(image.asByteArray())).isEqualTo(sidecar.get("sha256").asText());
            // S3 marks a multipart object's ETag with the number of parts
            assertThat(image.response().eTag()).matches("\"?[0-9a-f]{32}-[0-9]+\"?");
        }
    }

    @Test
    void anOutageOfTheStoreWhileTheBatchRunsIsRiddenOut() throws Exception {
        try (AppRun app = new AppRun(dir, SimulatorOptions.builder().port(0).latency(400, 0).build())) {
            // items spend most of their time in the 400 ms call, so the outage meets uploads as well as look-ups
            app.dropPrompts("birds.txt", 12);
            Path outbox = dir.resolve("outbox");
            CompletableFuture<Integer> run = inBackground(app, outbox,
                    "--set", "imagegen.concurrency=2", "--set", "imagegen.provider.simulator.maxConcurrency=2");

            await().atMost(Duration.ofSeconds(30)).until(() -> store.blobStore().list(BUCKET,
                    org.jclouds.blobstore.options.ListContainerOptions.Builder.prefix("runs/2026/birds/").recursive()).size() >= 2);
            store.stop();
            int storedBeforeOutage = store.blobStore().list(BUCKET,
                    org.jclouds.blobstore.options.ListContainerOptions.Builder.prefix("runs/2026/birds/").recursive()).size();
            assertThat(storedBeforeOutage).as("the outage starts mid-batch").isLessThan(24);
            Thread.sleep(4_000);
            store.start();

            assertThat(run.get()).isZero();
            assertThat(AppRun.JSON.readTree(outbox.resolve("birds/report.json").toFile()).toString()).contains("\"ok\":12");
            List<JsonNode> manifest = AppRun.jsonLines(object("runs/2026/birds/manifest.jsonl").asUtf8String());
            assertThat(manifest).hasSize(12).allSatisfy(line -> assertThat(line.get("status").asText()).isEqualTo("ok"));
            for (JsonNode line : manifest) {
                String id = line.get("id").asText();
                JsonNode sidecar = AppRun.JSON.readTree(object("runs/2026/birds/" + id + ".json").asByteArray());
                assertThat(sha256(object("runs/2026/birds/" + id + ".png").asByteArray())).isEqualTo(sidecar.get("sha256").asText());
            }
        }
    }

    @Test
    void anImagePaidForWhileTheStoreIsDownIsKeptAndStoredWhenItIsBackWithoutPayingAgain() throws Exception {
        try (AppRun app = new AppRun(dir, SimulatorOptions.builder().port(0).latency(1500, 0).build())) {
            app.dropPrompts("owls.txt", 1);
            Path outbox = dir.resolve("outbox");
            CompletableFuture<Integer> run = inBackground(app, outbox, "--set", "imagegen.output.retryFor=1s");
            // the look-up before the call found the store up; it goes down while the image is being made
            await().atMost(Duration.ofSeconds(30)).until(() -> app.simulator.stats().path("inFlight").asInt() > 0);
            store.stop();

            assertThat(run.get()).isEqualTo(1);
            JsonNode pending = AppRun.jsonLines(Files.readString(outbox.resolve("owls/manifest.jsonl"))).get(0);
            assertThat(pending.path("status").asText()).isEqualTo("pending");
            assertThat(pending.path("reason").asText()).isEqualTo("output_error");
            assertThat(pending.path("message").asText()).contains("kept in outbox/.state/unstored");
            String key = pending.path("requestKey").asText();
            assertThat(outbox.resolve(".state/unstored/" + key + ".png")).isRegularFile();

            store.start();
            assertThat(app.runOnce(outbox, s3Args())).isZero();

            assertThat(app.requests()).as("the kept answer is stored, not asked for again").isEqualTo(1);
            assertThat(app.simulator.stats().path("imagesBilled").asLong()).isEqualTo(1);
            List<JsonNode> manifest = AppRun.jsonLines(object("runs/2026/owls/manifest.jsonl").asUtf8String());
            assertThat(manifest).singleElement().satisfies(line -> {
                assertThat(line.path("status").asText()).isEqualTo("ok");
                assertThat(line.path("provider").asText()).isEqualTo("simulator");
            });
            JsonNode sidecar = AppRun.JSON.readTree(object("runs/2026/owls/0001.json").asByteArray());
            assertThat(sha256(object("runs/2026/owls/0001.png").asByteArray())).isEqualTo(sidecar.get("sha256").asText());
            assertThat(sha256(Files.readAllBytes(outbox.resolve("owls/0001.png")))).isEqualTo(sidecar.get("sha256").asText());
            assertThat(sidecar.path("requestKey").asText()).isEqualTo(key);
            assertThat(keys("runs/2026/.keys/")).containsExactly("runs/2026/" + KeyIndex.entryName(key));
            assertThat(outbox.resolve(".state/unstored")).isEmptyDirectory();
        }
    }

    @Test
    void aStoreThatStaysUnusableLeavesTheItemsPendingWithOutputErrorAndNothingIndexed() throws Exception {
        try (AppRun app = new AppRun(dir, SimulatorOptions.builder().port(0).build())) {
            app.dropPrompts("fish.txt", 2);
            Path outbox = dir.resolve("outbox");

            // the SDK's default checksum headers and modes are refused by S3Proxy 3.0.0: look-ups and uploads fail
            int code = app.runOnce(outbox, s3Args("--set", "imagegen.output.s3.checksum=when_supported",
                    "--set", "imagegen.output.retryFor=1s"));

            assertThat(code).isNotZero();
            List<JsonNode> manifest = AppRun.jsonLines(Files.readString(outbox.resolve("fish/manifest.jsonl")));
            assertThat(manifest).hasSize(2).allSatisfy(line -> {
                assertThat(line.get("status").asText()).isEqualTo("pending");
                assertThat(line.get("reason").asText()).isEqualTo("output_error");
                assertThat(line.get("message").asText()).contains("S3 look-up of s3://images/runs/2026/.keys/")
                        .contains("A header you provided implies functionality that is not implemented");
            });
            assertThat(keys("runs/2026/.keys/")).isEmpty();
            assertThat(Files.exists(outbox.resolve("fish/0001.png"))).isFalse();
            assertThat(app.requests()).as("nothing is generated while the store cannot say what it holds").isZero();
            try (Stream<Path> temp = Files.list(outbox.resolve(".tmp"))) {
                assertThat(temp).isEmpty();
            }
        }
    }

    private CompletableFuture<Integer> inBackground(AppRun app, Path outbox, String... args) {
        return CompletableFuture.supplyAsync(() -> app.runOnce(outbox, s3Args(args)));
    }

    private List<String> keys(String prefix) {
        return s3.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream().map(S3Object::key).toList();
    }

    private ResponseBytes<GetObjectResponse> object(String key) {
        return s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
