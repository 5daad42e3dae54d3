package io.github.geminiimagebatch.simulator;

import com.google.genai.Client;
import com.google.genai.types.BatchJob;
import com.google.genai.types.BatchJobSource;
import com.google.genai.types.Content;
import com.google.genai.types.CreateBatchJobConfig;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.HttpRetryOptions;
import com.google.genai.types.ImageConfig;
import com.google.genai.types.InlinedRequest;
import com.google.genai.types.InlinedResponse;
import com.google.genai.types.JobState;
import com.google.genai.types.ListBatchJobsConfig;
import com.google.genai.types.Part;
import com.google.genai.types.UploadFileConfig;
import io.github.geminiimagebatch.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Contract: the official Google GenAI Java SDK creates, polls, lists and reads batch jobs against the simulator. */
class GenAiSdkBatchTest {

    private static final String MODEL = "gemini-3.1-flash-image";

    @TempDir
    Path dir;
    private final MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");
    private GeminiSimulator simulator;
    private Client client;

    @BeforeEach
    void start() throws IOException {
        simulator = GeminiSimulator.start(SimulatorOptions.builder().clock(clock).batchTurnaround(Duration.ofMinutes(2)).build());
        client = Client.builder().apiKey("k").httpOptions(HttpOptions.builder().baseUrl(simulator.baseUri().toString())
                .retryOptions(HttpRetryOptions.builder().attempts(1).build()).build()).build();
    }

    @AfterEach
    void stop() {
        client.close();
        simulator.close();
    }

    private static GenerateContentConfig imageConfig() {
        return GenerateContentConfig.builder().responseModalities("IMAGE")
                .imageConfig(ImageConfig.builder().aspectRatio("16:9").imageSize("1K").build()).build();
    }

    private static InlinedRequest inlined(String key, String prompt) {
        return InlinedRequest.builder().contents(Content.fromParts(Part.fromText(prompt))).config(imageConfig())
                .metadata(Map.of("key", key)).build();
    }

    @Test
    void inlineJobIsCreatedPolledAndItsImagesRead() {
        BatchJob created = client.batches.create(MODEL,
                BatchJobSource.builder().inlinedRequests(inlined("a", "a lighthouse"), inlined("b", "a harbour [sim:safety]")).build(),
                CreateBatchJobConfig.builder().displayName("sdk-inline").build());
        assertThat(created.name().orElseThrow()).startsWith("batches/");
        assertThat(created.state().orElseThrow().knownEnum()).isEqualTo(JobState.Known.JOB_STATE_PENDING);
        assertThat(created.displayName()).contains("sdk-inline");

        clock.advance(Duration.ofMinutes(1));
        assertThat(client.batches.get(created.name().get(), null).state().orElseThrow().knownEnum()).isEqualTo(JobState.Known.JOB_STATE_RUNNING);
        clock.advance(Duration.ofMinutes(1));
        BatchJob done = client.batches.get(created.name().get(), null);

        assertThat(done.state().orElseThrow().knownEnum()).isEqualTo(JobState.Known.JOB_STATE_SUCCEEDED);
        List<InlinedResponse> responses = done.dest().orElseThrow().inlinedResponses().orElseThrow();
        assertThat(responses).hasSize(2);
        assertThat(responses.get(0).metadata().orElseThrow()).containsEntry("key", "a");
        Part image = responses.get(0).response().orElseThrow().parts().stream()
                .filter(part -> part.inlineData().isPresent()).reduce((first, last) -> last).orElseThrow();
        BufferedImage decoded = SimClient.image(image.inlineData().get().data().orElseThrow());
        assertThat(decoded.getWidth()).isEqualTo(1376);
        assertThat(decoded.getHeight()).isEqualTo(768);
        assertThat(responses.get(1).response().orElseThrow().finishReason().toString()).isEqualTo("IMAGE_SAFETY");
        assertThat(simulator.stats().at("/batches/imagesBilled").asLong()).isEqualTo(1);
        assertThat(simulator.stats().path("requests").asLong()).isZero();
    }

    @Test
    void fileJobIsUploadedCreatedAndItsResultsDownloaded() throws IOException {
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            jsonl.append("{\"key\":\"k").append(i).append("\",\"request\":{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"prompt ")
                    .append(i).append("\"}]}],\"generationConfig\":{\"responseModalities\":[\"IMAGE\"]}}}\n");
        }
        com.google.genai.types.File uploaded = client.files.upload(jsonl.toString().getBytes(StandardCharsets.UTF_8),
                UploadFileConfig.builder().mimeType("application/jsonl").displayName("input").build());
        assertThat(uploaded.name().orElseThrow()).startsWith("files/");

        BatchJob created = client.batches.create(MODEL, BatchJobSource.builder().fileName(uploaded.name().get()).build(),
                CreateBatchJobConfig.builder().displayName("sdk-file").build());
        clock.advance(Duration.ofMinutes(2));
        BatchJob done = client.batches.get(created.name().orElseThrow(), null);
        String results = done.dest().orElseThrow().fileName().orElseThrow();

        Path target = dir.resolve("results.jsonl");
        client.files.download(results, target.toString(), null);
        List<String> lines = Files.readAllLines(target);
        assertThat(lines).hasSize(3);
        List<String> keys = new ArrayList<>();
        for (String line : lines) {
            keys.add(SimClient.JSON.readTree(line).path("key").asText());
        }
        assertThat(keys).containsExactlyInAnyOrder("k0", "k1", "k2");
        assertThat(simulator.stats().path("filesUploaded").asLong()).isEqualTo(1);
    }

    @Test
    void jobsAreListedCancelledAndDeleted() {
        BatchJob first = client.batches.create(MODEL, BatchJobSource.builder().inlinedRequests(inlined("a", "one")).build(),
                CreateBatchJobConfig.builder().displayName("first").build());
        BatchJob second = client.batches.create(MODEL, BatchJobSource.builder().inlinedRequests(inlined("b", "two")).build(),
                CreateBatchJobConfig.builder().displayName("second").build());
        List<String> names = new ArrayList<>();
        client.batches.list(ListBatchJobsConfig.builder().pageSize(1).build()).forEach(job -> names.add(job.displayName().orElse("")));
        assertThat(names).containsExactly("second", "first");

        client.batches.cancel(first.name().orElseThrow(), null);
        assertThat(client.batches.get(first.name().get(), null).state().orElseThrow().knownEnum()).isEqualTo(JobState.Known.JOB_STATE_CANCELLED);
        client.batches.delete(second.name().orElseThrow(), null);
        assertThat(simulator.stats().at("/batches/byState/cancelled").asLong()).isEqualTo(1);
        assertThat(simulator.stats().at("/batches/byState/pending").asLong()).isZero();
    }
}
