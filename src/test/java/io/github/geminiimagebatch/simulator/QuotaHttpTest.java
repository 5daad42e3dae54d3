package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.geminiimagebatch.testing.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import static io.github.geminiimagebatch.simulator.SimClient.json;
import static org.assertj.core.api.Assertions.assertThat;

class QuotaHttpTest {

    private static final String MODEL = "gemini-2.5-flash-image";
    private final MutableClock clock = new MutableClock(Instant.parse("2026-06-01T12:00:00Z"));
    private GeminiSimulator simulator;
    private SimClient client;

    private void start(SimulatorOptions.Builder options) throws IOException {
        simulator = GeminiSimulator.start(options.clock(clock).build());
        client = new SimClient(simulator);
    }

    @AfterEach
    void stop() {
        if (simulator != null) {
            simulator.close();
        }
    }

    @Test
    void requestsPerMinuteLimitAnswersGooglesQuotaFailureWithTheExactWait() throws IOException {
        start(SimulatorOptions.builder().rpm(2).minute(Duration.ofSeconds(6)));
        assertThat(client.aiStudio("a").statusCode()).isEqualTo(200);
        clock.advance(Duration.ofMillis(1_500));
        assertThat(client.aiStudio("b").statusCode()).isEqualTo(200);
        clock.advance(Duration.ofMillis(482_913_001L / 1_000_000));

        HttpResponse<String> response = client.aiStudio("c");

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).as("Gemini sends no Retry-After").isEmpty();
        JsonNode error = json(response).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(429);
        assertThat(error.path("status").asText()).isEqualTo("RESOURCE_EXHAUSTED");
        assertThat(error.path("details")).extracting(detail -> detail.path("@type").asText()).containsExactly(
                "type.googleapis.com/google.rpc.QuotaFailure", "type.googleapis.com/google.rpc.Help", "type.googleapis.com/google.rpc.RetryInfo");
        JsonNode violation = error.at("/details/0/violations/0");
        assertThat(error.at("/details/0/violations")).hasSize(1);
        assertThat(violation.path("quotaId").asText()).isEqualTo("GenerateRequestsPerMinutePerProjectPerModel-FreeTier");
        assertThat(violation.path("quotaMetric").asText()).isEqualTo("generativelanguage.googleapis.com/generate_content_free_tier_requests");
        assertThat(violation.path("quotaValue").asText()).isEqualTo("2");
        assertThat(violation.at("/quotaDimensions/location").asText()).isEqualTo("global");
        assertThat(violation.at("/quotaDimensions/model").asText()).isEqualTo(MODEL);
        assertThat(error.at("/details/1/links/0/url").asText()).isEqualTo("https://ai.google.dev/gemini-api/docs/rate-limits");
        // admitted at 0 s, window 6 s, now 1.982 s
        assertThat(error.at("/details/2/retryDelay").asText()).isEqualTo("4.018s");
        assertThat(error.path("message").asText())
                .startsWith("You exceeded your current quota, please check your plan and billing details.")
                .contains("\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 2, model: " + MODEL)
                .endsWith("\nPlease retry in 4.018s.");

        clock.advance(Duration.ofMillis(4_017));
        assertThat(client.aiStudio("d").statusCode()).isEqualTo(429);
        clock.advance(Duration.ofMillis(1));
        assertThat(client.aiStudio("e").statusCode()).as("admitted exactly when the wait is over").isEqualTo(200);

        JsonNode stats = simulator.stats();
        assertThat(stats.path("http429").asLong()).isEqualTo(2);
        assertThat(stats.at("/http429ByKind/perMinute").asLong()).isEqualTo(2);
        assertThat(stats.path("imagesBilled").asLong()).isEqualTo(3);
        assertThat(stats.at("/windows/" + MODEL + "/perMinute/used").asLong()).isEqualTo(2);
        assertThat(stats.at("/windows/" + MODEL + "/perMinute/limit").asLong()).isEqualTo(2);
    }

    @Test
    void requestsPerDayLimitNamesTheDayQuotaAndTheTimeToTheNextDay() throws IOException {
        start(SimulatorOptions.builder().rpd(1).day(Duration.ofMinutes(10)));
        assertThat(client.aiStudio("first").statusCode()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(90));
        HttpResponse<String> response = client.aiStudio("second");
        assertThat(response.statusCode()).isEqualTo(429);
        JsonNode error = json(response).path("error");
        assertThat(error.at("/details/0/violations/0/quotaId").asText()).isEqualTo("GenerateRequestsPerDayPerProjectPerModel-FreeTier");
        assertThat(error.at("/details/0/violations/0/quotaValue").asText()).isEqualTo("1");
        assertThat(error.at("/details/2/retryDelay").asText()).isEqualTo("510s");
        assertThat(error.path("message").asText()).endsWith("Please retry in 510s.");
        assertThat(simulator.stats().at("/http429ByKind/perDay").asLong()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(510));
        assertThat(client.aiStudio("third").statusCode()).isEqualTo(200);
    }

    @Test
    void imagesPerMinuteLimitHasItsOwnQuotaId() throws IOException {
        start(SimulatorOptions.builder().ipm(1));
        assertThat(client.aiStudio("one image").statusCode()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(12));
        JsonNode error = json(client.aiStudio("another image")).path("error");
        assertThat(error.at("/details/0/violations/0/quotaId").asText())
                .isEqualTo("GenerateContentOutputImagesPerMinutePerProjectPerModel-FreeTier");
        assertThat(error.at("/details/0/violations/0/quotaMetric").asText()).contains("output_images");
        assertThat(error.at("/details/2/retryDelay").asText()).isEqualTo("48s");
        assertThat(simulator.stats().at("/http429ByKind/imagesPerMinute").asLong()).isEqualTo(1);
    }

    @Test
    void severalExceededLimitsAreAllListedPerMinuteBeforePerDay() throws IOException {
        start(SimulatorOptions.builder().rpm(1).rpd(1).day(Duration.ofHours(1)));
        client.aiStudio("x");
        JsonNode error = json(client.aiStudio("y")).path("error");
        assertThat(error.at("/details/0/violations")).extracting(v -> v.path("quotaId").asText()).containsExactly(
                "GenerateRequestsPerMinutePerProjectPerModel-FreeTier", "GenerateRequestsPerDayPerProjectPerModel-FreeTier");
        assertThat(error.at("/details/2/retryDelay").asText()).isEqualTo("3600s");
        assertThat(error.path("message").asText().split("Quota exceeded for metric")).hasSize(3);
    }

    @Test
    void allKeysShareTheProjectQuotaButModelsAreMeteredApart() throws IOException {
        start(SimulatorOptions.builder().rpm(1));
        assertThat(client.aiStudio("k1").statusCode()).isEqualTo(200);
        HttpResponse<String> otherKey = client.post("/v1beta/models/" + MODEL + ":generateContent",
                SimClient.geminiBody("k2", null, null), "x-goog-api-key", "another-key-same-project");
        assertThat(otherKey.statusCode()).isEqualTo(429);
        assertThat(client.aiStudio("gemini-3-pro-image", "other model", "1:1", "1K").statusCode()).isEqualTo(200);
    }

    @Test
    void bareStyleSendsTheDetailLess429() throws IOException {
        start(SimulatorOptions.builder().rpm(0).quotaStyle(QuotaStyle.BARE));
        HttpResponse<String> response = client.aiStudio("any");
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.body()).isEqualTo(
                "{\"error\":{\"code\":429,\"message\":\"Resource has been exhausted (e.g. check quota).\",\"status\":\"RESOURCE_EXHAUSTED\"}}");
    }

    @Test
    void vertexSendsItsBareResourceExhaustedText() throws IOException {
        start(SimulatorOptions.builder().rpm(0));
        HttpResponse<String> regional = client.post(
                "/v1/projects/my-project/locations/us-central1/publishers/google/models/" + MODEL + ":generateContent",
                SimClient.geminiBody("v", null, null), "Authorization", "Bearer t");
        HttpResponse<String> express = client.post("/v1beta1/publishers/google/models/" + MODEL + ":generateContent",
                SimClient.geminiBody("v", null, null), "x-goog-api-key", "k");
        String expected = "{\"error\":{\"code\":429,\"message\":\"Resource exhausted. Please try again later. Please refer to"
                + " https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details.\",\"status\":\"RESOURCE_EXHAUSTED\"}}";
        assertThat(regional.statusCode()).isEqualTo(429);
        assertThat(regional.body()).isEqualTo(expected);
        assertThat(express.body()).isEqualTo(expected);
    }

    @Test
    void openRouterWrapsGooglesQuotaErrorAndSendsRetryAfter() throws IOException {
        start(SimulatorOptions.builder().rpm(1).minute(Duration.ofSeconds(30)));
        assertThat(client.openRouter("google/" + MODEL, "first", null, null).statusCode()).isEqualTo(200);
        clock.advance(Duration.ofMillis(1_200));
        HttpResponse<String> response = client.openRouter("google/" + MODEL, "second", null, null);

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).contains("29");
        JsonNode error = json(response).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(429);
        assertThat(error.path("message").asText()).contains("rate-limited upstream");
        JsonNode metadata = error.path("metadata");
        assertThat(metadata.path("provider_name").asText()).isEqualTo("Google AI Studio");
        assertThat(metadata.path("retry_after_seconds").asLong()).isEqualTo(29);
        assertThat(metadata.at("/headers/Retry-After").asText()).isEqualTo("29");
        JsonNode raw = SimClient.JSON.readTree(metadata.path("raw").asText());
        assertThat(raw.at("/error/details/0/violations/0/quotaId").asText()).isEqualTo("GenerateRequestsPerMinutePerProjectPerModel-FreeTier");
        assertThat(raw.at("/error/details/2/retryDelay").asText()).isEqualTo("28.8s");
    }

    @Test
    void resetEmptiesTheQuotaWindows() throws IOException {
        start(SimulatorOptions.builder().rpm(1));
        client.aiStudio("a");
        assertThat(client.aiStudio("b").statusCode()).isEqualTo(429);
        simulator.reset();
        assertThat(client.aiStudio("c").statusCode()).isEqualTo(200);
        assertThat(simulator.stats().path("http429").asLong()).isZero();
    }
}
