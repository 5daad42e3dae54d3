package io.github.geminiimagebatch.service;

import io.github.geminiimagebatch.output.S3ProxyServer;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The service (no --once) with S3 output into S3Proxy: pending work is sent again without a restart. */
class PendingRetryEndToEndTest {

    private static final String BUCKET = "images";

    @TempDir
    Path dir;

    @Test
    void aFileLeftPendingByAnS3OutageLongerThanRetryForCompletesWhenTheStoreReturns() throws Exception {
        try (S3ProxyServer store = S3ProxyServer.start(BUCKET);
             GeminiSimulator simulator = GeminiSimulator.start(SimulatorOptions.builder().port(0).build())) {
            store.stop();
            // the schedule alone would wait an hour: only the store answering again can finish the file in time
            try (ServiceRun service = new ServiceRun(dir, Map.ofEntries(
                    Map.entry("imagegen.providers", "simulator"),
                    Map.entry("imagegen.provider.simulator.baseUrl", simulator.baseUri().toString()),
                    Map.entry("imagegen.output.s3.enabled", "true"),
                    Map.entry("imagegen.output.s3.bucket", BUCKET),
                    Map.entry("imagegen.output.s3.endpoint", store.endpoint()),
                    Map.entry("imagegen.output.s3.pathStyle", "true"),
                    Map.entry("imagegen.output.s3.checksum", "when_required"),
                    Map.entry("imagegen.output.s3.accessKey", S3ProxyServer.ACCESS_KEY),
                    Map.entry("imagegen.output.s3.secretKey", S3ProxyServer.SECRET_KEY),
                    Map.entry("imagegen.output.retryFor", "1s"),
                    Map.entry("imagegen.pending.retryAfter", "1h"),
                    Map.entry("imagegen.pending.retryAfterMax", "1h"),
                    Map.entry("imagegen.pending.checkInterval", "200ms")))) {
                service.drop("owls.txt", "an owl 1\nan owl 2\nan owl 3\n");
                Path manifest = service.outbox.resolve("owls/manifest.jsonl");

                await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(service.outbox.resolve("owls/report.json")));
                assertThat(ServiceFiles.jsonLines(manifest)).hasSize(3).allSatisfy(line -> {
                    assertThat(line.get("status").asText()).isEqualTo("pending");
                    assertThat(line.get("reason").asText()).isEqualTo("output_error");
                });
                assertThat(service.inbox.resolve("owls.txt")).exists();
                Thread.sleep(1_500);
                assertThat(service.inbox.resolve("owls.txt")).as("still waiting while the store is down").exists();

                store.start();

                await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(service.inbox.resolve(".done/owls.txt")));
                assertThat(service.running()).isTrue();
                assertThat(ServiceFiles.jsonLines(manifest)).hasSize(3)
                        .allSatisfy(line -> assertThat(line.get("status").asText()).isEqualTo("ok"));
                assertThat(store.blobStore().list(BUCKET, ListContainerOptions.Builder.prefix("owls/").recursive())
                        .stream().map(m -> m.getName()).toList())
                        .contains("owls/0001.png", "owls/0002.png", "owls/0003.png", "owls/manifest.jsonl");
                assertThat(simulator.stats().path("imagesBilled").asLong()).as("each image paid once").isEqualTo(3);
                assertThat(service.stop()).as("the totals count each item once, as its latest reading settled it").isZero();
            }
        }
    }
}
