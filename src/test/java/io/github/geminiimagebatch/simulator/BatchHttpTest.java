package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.geminiimagebatch.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The simulator's Batch API and Files API over real HTTP, on a clock the test moves. */
class BatchHttpTest extends SimulatorHttpTestBase {

    private static final String MODEL = "gemini-2.5-flash-image";
    private final MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");

    private void start() throws Exception {
        start(SimulatorOptions.builder().clock(clock).batchTurnaround(Duration.ofSeconds(10)));
    }

    private static ObjectNode request(String prompt) {
        return (ObjectNode) SimClient.JSON.valueToTree(Map.of(
                "contents", List.of(Map.of("role", "user", "parts", List.of(Map.of("text", prompt)))),
                "generationConfig", Map.of("responseModalities", List.of("IMAGE"))));
    }

    private HttpResponse<String> createInline(String displayName, String... prompts) {
        ObjectNode body = SimClient.JSON.createObjectNode();
        ObjectNode batch = body.putObject("batch");
        batch.put("displayName", displayName);
        ArrayNode requests = batch.putObject("inputConfig").putObject("requests").putArray("requests");
        for (int i = 0; i < prompts.length; i++) {
            ObjectNode entry = requests.addObject();
            entry.set("request", request(prompts[i]));
            entry.putObject("metadata").put("key", "k" + i);
        }
        return client.post("/v1beta/models/" + MODEL + ":batchGenerateContent", body.toString(), "x-goog-api-key", SimClient.KEY);
    }

    private JsonNode getJob(String name) {
        return SimClient.json(client.send(HttpRequest.newBuilder(simulator.baseUri().resolve("/v1beta/" + name))
                .header("x-goog-api-key", SimClient.KEY).GET().build()));
    }

    @Test
    void aJobIsPendingThenRunningThenSucceededWithItsResponsesInlineAndBilledOnce() throws Exception {
        start();
        HttpResponse<String> created = createInline("job-a", "a red fox", "a blue whale [sim:safety]", "a green tree [sim:400]");
        assertThat(created.statusCode()).isEqualTo(200);
        String name = SimClient.json(created).path("name").asText();
        assertThat(name).startsWith("batches/");
        assertThat(SimClient.json(created).at("/metadata/state").asText()).isEqualTo("BATCH_STATE_PENDING");
        assertThat(SimClient.json(created).at("/metadata/displayName").asText()).isEqualTo("job-a");

        clock.advance(Duration.ofSeconds(6));
        assertThat(getJob(name).at("/metadata/state").asText()).isEqualTo("BATCH_STATE_RUNNING");
        assertThat(getJob(name).has("done")).isFalse();

        clock.advance(Duration.ofSeconds(4));
        JsonNode done = getJob(name);
        assertThat(done.at("/metadata/state").asText()).isEqualTo("BATCH_STATE_SUCCEEDED");
        assertThat(done.path("done").asBoolean()).isTrue();
        assertThat(done.at("/metadata/batchStats/requestCount").asText()).isEqualTo("3");
        assertThat(done.at("/metadata/batchStats/successfulRequestCount").asText()).isEqualTo("1");
        assertThat(done.at("/metadata/batchStats/failedRequestCount").asText()).isEqualTo("2");
        JsonNode responses = done.at("/response/inlinedResponses/inlinedResponses");
        assertThat(responses).hasSize(3);
        JsonNode inMetadata = done.at("/metadata/output/inlinedResponses/inlinedResponses");
        assertThat(inMetadata).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(inMetadata.get(i).path("metadata")).isEqualTo(responses.get(i).path("metadata"));
            assertThat(inMetadata.get(i).at("/response/candidates")).isEqualTo(responses.get(i).at("/response/candidates"));
        }
        assertThat(responses.get(0).at("/metadata/key").asText()).isEqualTo("k0");
        String data = responses.get(0).at("/response/candidates/0/content/parts/0/inlineData/data").asText();
        BufferedImage image = SimClient.image(SimClient.base64(data));
        assertThat(image.getWidth()).isEqualTo(1024);
        assertThat(responses.get(1).at("/response/candidates/0/finishReason").asText()).isEqualTo("IMAGE_SAFETY");
        assertThat(responses.get(2).at("/error/code").asInt()).isEqualTo(3);
        assertThat(responses.get(2).at("/error/message").asText()).contains("invalid argument");

        getJob(name);
        JsonNode stats = simulator.stats();
        assertThat(stats.at("/batches/created").asLong()).isEqualTo(1);
        assertThat(stats.at("/batches/requests").asLong()).isEqualTo(3);
        assertThat(stats.at("/batches/imagesBilled").asLong()).isEqualTo(1);
        assertThat(stats.at("/batches/byState/succeeded").asLong()).isEqualTo(1);
        assertThat(stats.path("requests").asLong()).as("interactive requests").isZero();
        assertThat(stats.path("imagesBilled").asLong()).as("interactive images").isZero();
        assertThat(stats.path("billedByPrompt")).isEmpty();
    }

    @Test
    void aFileJobIsUploadedResumablyAndItsResultsDownloadedAsJsonLinesInAnotherOrder() throws Exception {
        start();
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 12; i++) {
            ObjectNode line = SimClient.JSON.createObjectNode();
            line.put("key", "item-" + i);
            line.set("request", request("prompt " + i + (i == 5 ? " [sim:no_image]" : "")));
            jsonl.append(line).append('\n');
        }
        HttpResponse<String> start = client.post("/upload/v1beta/files", "{\"file\":{\"displayName\":\"in\"}}",
                "x-goog-api-key", SimClient.KEY, "X-Goog-Upload-Protocol", "resumable", "X-Goog-Upload-Command", "start",
                "X-Goog-Upload-Header-Content-Type", "application/jsonl");
        assertThat(start.statusCode()).isEqualTo(200);
        String uploadUrl = start.headers().firstValue("x-goog-upload-url").orElseThrow();
        byte[] bytes = jsonl.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int half = bytes.length / 2;
        HttpResponse<String> first = client.send(HttpRequest.newBuilder(java.net.URI.create(uploadUrl))
                .header("X-Goog-Upload-Command", "upload").header("X-Goog-Upload-Offset", "0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes, 0, half)).build());
        assertThat(first.headers().firstValue("x-goog-upload-status")).contains("active");
        HttpResponse<String> last = client.send(HttpRequest.newBuilder(java.net.URI.create(uploadUrl))
                .header("X-Goog-Upload-Command", "upload, finalize").header("X-Goog-Upload-Offset", Integer.toString(half))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes, half, bytes.length - half)).build());
        assertThat(last.headers().firstValue("x-goog-upload-status")).contains("final");
        String fileName = SimClient.json(last).at("/file/name").asText();
        assertThat(fileName).startsWith("files/");
        assertThat(SimClient.json(last).at("/file/sizeBytes").asText()).isEqualTo(Integer.toString(bytes.length));

        HttpResponse<String> created = client.post("/v1beta/models/" + MODEL + ":batchGenerateContent",
                "{\"batch\":{\"display_name\":\"job-f\",\"input_config\":{\"file_name\":\"" + fileName + "\"}}}",
                "x-goog-api-key", SimClient.KEY);
        assertThat(created.statusCode()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(10));
        JsonNode done = getJob(SimClient.json(created).path("name").asText());
        String results = done.at("/response/responsesFile").asText();
        assertThat(done.at("/metadata/output/responsesFile").asText()).isEqualTo(results);

        HttpResponse<String> download = client.send(HttpRequest.newBuilder(simulator.baseUri().resolve("/download/v1beta/" + results + ":download?alt=media"))
                .header("x-goog-api-key", SimClient.KEY).GET().build());
        assertThat(download.statusCode()).isEqualTo(200);
        List<String> keys = new ArrayList<>();
        Map<String, JsonNode> byKey = new HashMap<>();
        for (String line : download.body().split("\n")) {
            JsonNode node = SimClient.JSON.readTree(line);
            keys.add(node.path("key").asText());
            byKey.put(node.path("key").asText(), node);
        }
        assertThat(keys).hasSize(12).doesNotHaveDuplicates();
        assertThat(keys).as("results are not in input order").isNotEqualTo(keys.stream().sorted((a, b) ->
                Integer.compare(Integer.parseInt(a.substring(5)), Integer.parseInt(b.substring(5)))).toList());
        assertThat(byKey.get("item-5").at("/response/candidates/0/finishReason").asText()).isEqualTo("NO_IMAGE");
        assertThat(byKey.get("item-7").at("/response/candidates/0/content/parts/0/inlineData/mimeType").asText()).isEqualTo("image/png");
        assertThat(simulator.stats().path("filesUploaded").asLong()).isEqualTo(1);
        assertThat(simulator.stats().at("/batches/imagesBilled").asLong()).isEqualTo(11);
    }

    @Test
    void jobsAreListedCancelledAndDeleted() throws Exception {
        start();
        String first = SimClient.json(createInline("one", "p1")).path("name").asText();
        String second = SimClient.json(createInline("two", "p2")).path("name").asText();
        JsonNode page = SimClient.json(client.send(HttpRequest.newBuilder(simulator.baseUri().resolve("/v1beta/batches?pageSize=1"))
                .header("x-goog-api-key", SimClient.KEY).GET().build()));
        assertThat(page.path("operations")).hasSize(1);
        assertThat(page.at("/operations/0/metadata/displayName").asText()).isEqualTo("two");
        JsonNode next = SimClient.json(client.send(HttpRequest.newBuilder(simulator.baseUri().resolve(
                "/v1beta/batches?pageSize=1&pageToken=" + page.path("nextPageToken").asText()))
                .header("x-goog-api-key", SimClient.KEY).GET().build()));
        assertThat(next.at("/operations/0/name").asText()).isEqualTo(first);

        assertThat(client.post("/v1beta/" + first + ":cancel", "", "x-goog-api-key", SimClient.KEY).statusCode()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(10));
        assertThat(getJob(first).at("/metadata/state").asText()).isEqualTo("BATCH_STATE_CANCELLED");
        assertThat(getJob(first).has("response")).isFalse();

        HttpResponse<String> deleted = client.send(HttpRequest.newBuilder(simulator.baseUri().resolve("/v1beta/" + second))
                .header("x-goog-api-key", SimClient.KEY).DELETE().build());
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(client.send(HttpRequest.newBuilder(simulator.baseUri().resolve("/v1beta/" + second))
                .header("x-goog-api-key", SimClient.KEY).GET().build()).statusCode()).isEqualTo(404);
        assertThat(simulator.stats().at("/batches/byState/cancelled").asLong()).isEqualTo(1);
        assertThat(simulator.stats().at("/batches/imagesBilled").asLong()).isZero();
    }

    @Test
    void theBatchQuotaRefusesAJobThatWouldEnqueueTooManyRequests() throws Exception {
        start(SimulatorOptions.builder().clock(clock).batchTurnaround(Duration.ofSeconds(10)).batchMaxEnqueued(3));
        assertThat(createInline("a", "p1", "p2").statusCode()).isEqualTo(200);
        HttpResponse<String> refused = createInline("b", "p3", "p4");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(SimClient.json(refused).at("/error/status").asText()).isEqualTo("RESOURCE_EXHAUSTED");
        assertThat(SimClient.json(refused).at("/error/details/0/violations/0/quotaId").asText()).isEqualTo("BatchEnqueuedRequestsPerProjectPerModel");
        clock.advance(Duration.ofSeconds(10));
        assertThat(createInline("b", "p3", "p4").statusCode()).isEqualTo(200);
        assertThat(simulator.stats().at("/batches/created").asLong()).isEqualTo(2);
    }

    @Test
    void jobFaultsEndJobsFailedOrExpiredWithoutResults() throws Exception {
        start(SimulatorOptions.builder().clock(clock).batchTurnaround(Duration.ofSeconds(10)).batchFaults("expired=1"));
        String name = SimClient.json(createInline("x", "p1")).path("name").asText();
        clock.advance(Duration.ofSeconds(10));
        JsonNode job = getJob(name);
        assertThat(job.at("/metadata/state").asText()).isEqualTo("BATCH_STATE_EXPIRED");
        assertThat(job.path("done").asBoolean()).isTrue();
        assertThat(job.has("response")).isFalse();
        assertThat(simulator.stats().at("/batches/imagesBilled").asLong()).isZero();

        simulator.close();
        start(SimulatorOptions.builder().clock(clock).batchTurnaround(Duration.ofSeconds(10)).batchFaults("failed=1"));
        name = SimClient.json(createInline("y", "p1")).path("name").asText();
        clock.advance(Duration.ofSeconds(10));
        job = getJob(name);
        assertThat(job.at("/metadata/state").asText()).isEqualTo("BATCH_STATE_FAILED");
        assertThat(job.at("/error/code").asInt()).isEqualTo(13);
    }

    @Test
    void batchEndpointsWantAKey() throws Exception {
        start();
        HttpResponse<String> noKey = client.post("/v1beta/models/" + MODEL + ":batchGenerateContent", "{}");
        assertThat(noKey.statusCode()).isEqualTo(403);
    }
}
