package io.github.geminiimagebatch.batchapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.cli.GeminiImageBatch;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import io.github.geminiimagebatch.testing.Manifests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The real application with a provider in Batch API mode, against the simulator over HTTP, one --once run per call. */
class BatchModeEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** gemini-3.1-flash-image at 1K, interactive list price. */
    private static final double INTERACTIVE_1K = 0.067;

    @TempDir
    Path tmp;
    GeminiSimulator simulator;
    String providers = "batch";

    @AfterEach
    void stop() {
        if (simulator != null) {
            simulator.close();
        }
    }

    private Path inbox() throws IOException {
        return Files.createDirectories(tmp.resolve("inbox"));
    }

    private Path outbox() {
        return tmp.resolve("outbox");
    }

    private void drop(String name, String content) throws IOException {
        Path staged = tmp.resolve(name + ".staging");
        Files.writeString(staged, content, StandardCharsets.UTF_8);
        Files.move(staged, inbox().resolve(name));
    }

    private int runOnce(String maxWait, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("--once", "--inbox", inbox().toString(), "--outbox", outbox().toString(),
                "--provider", providers,
                "--set", "imagegen.provider.batch.type=gateway",
                "--set", "imagegen.provider.batch.apiKey=batch-test-key",
                "--set", "imagegen.provider.batch.baseUrl=" + simulator.baseUri(),
                "--set", "imagegen.provider.batch.mode=batch",
                "--set", "imagegen.provider.batch.batch.maxItems=100",
                "--set", "imagegen.provider.batch.batch.maxWait=" + maxWait,
                "--set", "imagegen.provider.batch.batch.pollInterval=200ms",
                "--set", "imagegen.inbox.stableMillis=100",
                "--set", "imagegen.inbox.pollDelayMillis=100",
                "--set", "imagegen.progress.interval=1h",
                "--set", "camel.management.port=" + freePort()));
        args.addAll(List.of(extra));
        return GeminiImageBatch.execute(args.toArray(String[]::new));
    }

    private static String prompts(int count, String suffixEvery7th) {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            text.append("a lighthouse, variation ").append(i).append(i % 7 == 0 && suffixEvery7th != null ? suffixEvery7th : "").append('\n');
        }
        return text.toString();
    }

    @Test
    void threeHundredPromptsGoThroughBatchJobsAtHalfThePriceWithNoInteractiveCall() throws Exception {
        simulator = GeminiSimulator.start(SimulatorOptions.builder().batchTurnaround(Duration.ofSeconds(2)).build());
        drop("lighthouses.txt", prompts(300, null));

        assertThat(runOnce("2s")).isEqualTo(0);

        Path batch = outbox().resolve("lighthouses");
        try (Stream<Path> images = Files.list(batch)) {
            assertThat(images.filter(p -> p.toString().endsWith(".png")).count()).isEqualTo(300);
        }
        JsonNode report = JSON.readTree(batch.resolve("report.json").toFile());
        assertThat(report.path("totals").path("ok").asInt()).isEqualTo(300);
        assertThat(report.path("costUsd").asDouble()).isEqualTo(300 * INTERACTIVE_1K / 2, org.assertj.core.data.Offset.offset(1e-9));
        JsonNode sidecar = JSON.readTree(batch.resolve("0001.json").toFile());
        assertThat(sidecar.path("mode").asText()).isEqualTo("batch");
        assertThat(sidecar.path("batchJob").asText()).startsWith("batches/");
        assertThat(sidecar.path("costUsd").asDouble()).isEqualTo(INTERACTIVE_1K / 2);
        int answered = 0;
        for (java.util.Iterator<Map.Entry<String, JsonNode>> jobs = report.path("batchJobs").fields(); jobs.hasNext(); ) {
            Map.Entry<String, JsonNode> job = jobs.next();
            assertThat(job.getKey()).startsWith("batches/");
            answered += job.getValue().asInt();
        }
        assertThat(answered).as("report.json counts the items each job answered").isEqualTo(300);

        JsonNode stats = simulator.stats();
        assertThat(stats.path("requests").asLong()).as("interactive generateContent calls").isZero();
        // 100 items a job; a slow start can send a part of them early when the first has waited maxWait
        long jobs = stats.at("/batches/created").asLong();
        assertThat(jobs).isBetween(3L, 6L);
        assertThat(stats.at("/batches/requests").asLong()).isEqualTo(300);
        assertThat(stats.at("/batches/imagesBilled").asLong()).isEqualTo(300);
        assertThat(stats.at("/batches/byState/succeeded").asLong()).isEqualTo(jobs);
        try (Stream<Path> records = Files.walk(outbox().resolve(".state"))) {
            assertThat(records.filter(p -> p.toString().endsWith(".json") && p.toString().contains("batch-jobs")).toList())
                    .as("records of finished jobs are removed").isEmpty();
        }
    }

    @Test
    void failedLinesFailOrRetryOnlyTheirItemsAndLargeJobsGoThroughTheFilesApi() throws Exception {
        simulator = GeminiSimulator.start(SimulatorOptions.builder().batchTurnaround(Duration.ofMillis(500)).build());
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 20; i++) {
            String marker = switch (i) {
                case 3 -> " [sim:safety]";
                case 5 -> " [sim:400]";
                case 8 -> " [sim:500x1]";
                default -> "";
            };
            text.append("harbour ").append(i).append(marker).append('\n');
        }
        drop("harbours.txt", text.toString());

        assertThat(runOnce("2s", "--set", "imagegen.provider.batch.batch.inlineMaxBytes=100")).isEqualTo(2);

        List<JsonNode> manifest = Manifests.read(outbox(), "harbours");
        assertThat(manifest).hasSize(20);
        for (JsonNode line : manifest) {
            String id = line.path("id").asText();
            String expected = id.equals("0003") || id.equals("0005") ? "failed" : "ok";
            assertThat(line.path("status").asText()).as(id).isEqualTo(expected);
        }
        assertThat(manifest.stream().filter(l -> l.path("id").asText().equals("0003")).findFirst().orElseThrow().path("reason").asText())
                .isEqualTo("safety");
        assertThat(manifest.stream().filter(l -> l.path("id").asText().equals("0005")).findFirst().orElseThrow().path("reason").asText())
                .isEqualTo("invalid_request");
        JsonNode retried = JSON.readTree(outbox().resolve("harbours").resolve("0008.json").toFile());
        assertThat(retried.path("attempts").asInt()).as("the 500 line went into a second job").isEqualTo(2);
        JsonNode stats = simulator.stats();
        // the 20 items (one job, unless a slow start splits it) and then the retried line (a later job)
        long jobs = stats.at("/batches/created").asLong();
        assertThat(jobs).isBetween(2L, 3L);
        assertThat(stats.path("filesUploaded").asLong()).as("inlineMaxBytes=100 sends every job as a file").isEqualTo(jobs);
        assertThat(stats.path("requests").asLong()).isZero();
    }

    @Test
    void withItemErrorsInteractiveAFailedLineIsRetriedByTheNextProviderInFailoverOrder() throws Exception {
        simulator = GeminiSimulator.start(SimulatorOptions.builder().batchTurnaround(Duration.ofMillis(500)).build());
        drop("piers.txt", "pier one\npier two [sim:503x1]\npier three [sim:400]\n");
        providers = "batch,direct";

        assertThat(runOnce("300ms", "--set", "imagegen.provider.batch.batch.itemErrors=interactive",
                "--set", "imagegen.provider.direct.type=gateway", "--set", "imagegen.provider.direct.apiKey=direct-key",
                "--set", "imagegen.provider.direct.baseUrl=" + simulator.baseUri())).isEqualTo(2);

        JsonNode retried = JSON.readTree(outbox().resolve("piers").resolve("0002.json").toFile());
        assertThat(retried.path("provider").asText()).isEqualTo("direct");
        assertThat(retried.has("mode")).as("an interactive answer").isFalse();
        assertThat(retried.path("costUsd").asDouble()).isEqualTo(INTERACTIVE_1K);
        assertThat(JSON.readTree(outbox().resolve("piers").resolve("0001.json").toFile()).path("mode").asText()).isEqualTo("batch");
        assertThat(Manifests.read(outbox(), "piers").stream().filter(l -> l.path("id").asText().equals("0003")).findFirst().orElseThrow()
                .path("reason").asText()).as("a bad request is not retried anywhere").isEqualTo("invalid_request");
        assertThat(simulator.stats().path("requests").asLong()).as("one interactive call: the retried line").isEqualTo(1);
        assertThat(simulator.stats().at("/batches/created").asLong()).isEqualTo(1);
    }

    @Test
    void aCreateRefusedByTheBatchQuotaIsTriedAgainOnceEarlierJobsHaveEnded() throws Exception {
        simulator = GeminiSimulator.start(SimulatorOptions.builder().batchTurnaround(Duration.ofSeconds(1)).batchMaxEnqueued(30).build());
        drop("dunes.txt", prompts(50, null));

        assertThat(runOnce("2s", "--set", "imagegen.provider.batch.batch.maxItems=25")).isEqualTo(0);

        assertThat(Manifests.read(outbox(), "dunes")).hasSize(50).allSatisfy(line -> assertThat(line.path("status").asText()).isEqualTo("ok"));
        JsonNode stats = simulator.stats();
        assertThat(stats.at("/batches/created").asLong()).isEqualTo(2);
        assertThat(stats.at("/responsesByStatus/429").asLong()).as("the second job waited for the first: 25 + 25 > 30 enqueued")
                .isPositive();
        assertThat(stats.at("/batches/imagesBilled").asLong()).isEqualTo(50);
    }

    @Test
    void anExpiredJobLeavesItsItemsPendingAndTheRunExitsThreeNamingTheJob() throws Exception {
        simulator = GeminiSimulator.start(SimulatorOptions.builder().batchTurnaround(Duration.ofMillis(500)).batchFaults("expired=1").build());
        drop("bays.txt", prompts(5, null));
        ch.qos.logback.classic.Logger summary = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("gemini-image-batch");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> events = new ch.qos.logback.core.read.ListAppender<>();
        events.start();
        summary.addAppender(events);
        int exit;
        try {
            exit = runOnce("300ms");
        } finally {
            summary.detachAppender(events);
        }

        assertThat(exit).isEqualTo(3);
        assertThat(events.list).as("the last line names the job and why").anySatisfy(event -> assertThat(event.getFormattedMessage())
                .contains("Stopped with work pending").containsPattern("[Bb]atch job batches/\\S+ ended EXPIRED"));

        List<JsonNode> manifest = Manifests.read(outbox(), "bays");
        assertThat(manifest).hasSize(5).allSatisfy(line -> {
            assertThat(line.path("status").asText()).isEqualTo("pending");
            assertThat(line.path("reason").asText()).isEqualTo("batch_expired");
            assertThat(line.path("message").asText()).contains("batches/").contains("EXPIRED");
        });
        assertThat(inbox().resolve("bays.txt")).as("the prompt file stays for the next run").exists();
        assertThat(simulator.stats().at("/batches/byState/expired").asLong()).isEqualTo(1);
        assertThat(simulator.stats().at("/batches/imagesBilled").asLong()).isZero();
    }

    @Test
    void aJobCreatedJustBeforeACrashIsFoundByItsDisplayNameInsteadOfBeingCreatedAgain() throws Exception {
        simulator = GeminiSimulator.start(SimulatorOptions.builder().batchTurnaround(Duration.ofMillis(500)).build());
        drop("capes.txt", prompts(4, null));
        // The state a crash leaves between the create call and the write of its answer: a record without a name,
        // and on the server a job with the display name derived from the items' request keys.
        List<String> keys = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            keys.add(io.github.geminiimagebatch.prompt.RequestKey.ofFiles("gemini-3.1-flash-image", "a lighthouse, variation " + i,
                    "1:1", "1K", List.of()));
        }
        List<String> sorted = keys.stream().sorted().toList();
        String displayName = ProviderBatches.displayName(sorted);
        StringBuilder requests = new StringBuilder();
        for (String key : sorted) {
            int i = keys.indexOf(key) + 1;
            requests.append(requests.length() == 0 ? "" : ",").append("{\"request\":{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":")
                    .append(JSON.writeValueAsString("a lighthouse, variation " + i)).append("}]}],\"generationConfig\":{\"responseModalities\":[\"IMAGE\"],")
                    .append("\"imageConfig\":{\"aspectRatio\":\"1:1\",\"imageSize\":\"1K\"}}},\"metadata\":{\"key\":\"").append(key).append("\"}}");
        }
        java.net.http.HttpResponse<String> created = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        simulator.baseUri().resolve("/v1beta/models/gemini-3.1-flash-image:batchGenerateContent"))
                .header("x-goog-api-key", "batch-test-key")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"batch\":{\"displayName\":\"" + displayName
                        + "\",\"inputConfig\":{\"requests\":{\"requests\":[" + requests + "]}}}}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).isEqualTo(200);
        new JobRecords(outbox().resolve(".state/batch-jobs/batch")).write(new JobRecords.Record(displayName, null,
                "gemini-3.1-flash-image", sorted, java.time.Instant.now()));

        assertThat(runOnce("300ms")).isEqualTo(0);

        assertThat(Manifests.read(outbox(), "capes")).hasSize(4).allSatisfy(line -> assertThat(line.path("status").asText()).isEqualTo("ok"));
        assertThat(simulator.stats().at("/batches/created").asLong()).as("no second job").isEqualTo(1);
        assertThat(simulator.stats().at("/batches/imagesBilled").asLong()).isEqualTo(4);
        JsonNode sidecar = JSON.readTree(outbox().resolve("capes").resolve("0001.json").toFile());
        assertThat(sidecar.path("batchJob").asText()).isEqualTo(JSON.readTree(created.body()).path("name").asText());
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
