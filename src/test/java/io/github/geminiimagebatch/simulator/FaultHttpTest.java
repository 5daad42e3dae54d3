package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.geminiimagebatch.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static io.github.geminiimagebatch.simulator.SimClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FaultHttpTest extends SimulatorHttpTestBase {

    @ParameterizedTest
    @CsvSource({
            "[sim:safety], IMAGE_SAFETY, true",
            "[sim:prohibited], PROHIBITED_CONTENT, false",
            "[sim:no_image], NO_IMAGE, true",
    })
    void finishReasonMarkersAnswer200WithoutImageAndBillNothing(String marker, String finishReason, boolean hasMessage) throws IOException {
        start(SimulatorOptions.builder());
        HttpResponse<String> response = client.aiStudio("a cat " + marker);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode candidate = json(response).at("/candidates/0");
        assertThat(candidate.path("finishReason").asText()).isEqualTo(finishReason);
        assertThat(candidate.has("finishMessage")).isEqualTo(hasMessage);
        assertThat(response.body()).doesNotContain("inlineData");
        JsonNode stats = simulator.stats();
        assertThat(stats.path("imagesBilled").asLong()).isZero();
        assertThat(stats.at("/billedByPrompt").path("a cat " + marker).asLong()).isZero();
        assertThat(stats.at("/faults").path(marker.substring(5, marker.length() - 1)).asLong()).isEqualTo(1);
    }

    @Test
    void blockedPromptHasPromptFeedbackAndNoCandidates() throws IOException {
        start(SimulatorOptions.builder());
        JsonNode body = json(client.aiStudio("[sim:blocked] something"));
        assertThat(body.at("/promptFeedback/blockReason").asText()).isEqualTo("SAFETY");
        assertThat(body.has("candidates")).isFalse();
        assertThat(body.at("/usageMetadata/promptTokenCount").asInt()).isPositive();
    }

    @Test
    void textOnlyIsStopWithJustText() throws IOException {
        start(SimulatorOptions.builder());
        JsonNode body = json(client.aiStudio("[sim:text_only] draw"));
        assertThat(body.at("/candidates/0/finishReason").asText()).isEqualTo("STOP");
        assertThat(body.at("/candidates/0/content/parts")).hasSize(1);
        assertThat(body.at("/candidates/0/content/parts/0/text").asText()).isNotBlank();
    }

    @Test
    void anOutageAnswersEveryCallWithItsErrorAtOnceUnmeteredOnlyWithinItsWindow() throws IOException {
        MutableClock clock = MutableClock.at("2026-03-10T17:00:00Z");
        start(SimulatorOptions.builder().clock(clock).rpm(3).latency(50, 0).outages("503:10s+4s"));
        assertThat(client.aiStudio("before").statusCode()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(10));
        for (int i = 0; i < 5; i++) {
            long sent = System.nanoTime();
            HttpResponse<String> during = client.aiStudio("during " + i);
            assertThat(during.statusCode()).isEqualTo(503);
            assertThat(during.body()).contains("The model is overloaded");
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).as("no latency").isLessThan(Duration.ofSeconds(5));
        }
        clock.advance(Duration.ofMillis(3999));
        assertThat(client.aiStudio("still").statusCode()).isEqualTo(503);
        clock.advance(Duration.ofMillis(1));
        assertThat(client.aiStudio("after").statusCode()).as("5 calls in the outage used none of the 3/min").isEqualTo(200);
        JsonNode stats = simulator.stats();
        assertThat(stats.at("/faults/503").asLong()).isEqualTo(6);
        assertThat(stats.path("imagesBilled").asLong()).isEqualTo(2);
        assertThat(stats.at("/timeline/requests").toString()).isEqualTo("[1,0,0,0,0,0,0,0,0,0,5,0,0,1,1]");
        assertThat(stats.at("/timeline/images").toString()).isEqualTo("[1,0,0,0,0,0,0,0,0,0,0,0,0,0,1]");
    }

    @Test
    void outagesAreWrittenErrorStartPlusDuration() {
        assertThat(Outage.parseAll("503:10s+10s, 429:1m+2s")).containsExactly(
                new Outage(FaultKind.UNAVAILABLE, Duration.ofSeconds(10), Duration.ofSeconds(10)),
                new Outage(FaultKind.RESOURCE_EXHAUSTED, Duration.ofMinutes(1), Duration.ofSeconds(2)));
        assertThat(Outage.parseAll(" ")).isEmpty();
        assertThatThrownBy(() -> Outage.parseAll("503:10s")).hasMessageContaining("ERROR:START+DURATION").hasMessageContaining("503:10s");
        assertThatThrownBy(() -> Outage.parseAll("safety:1s+1s")).hasMessageContaining("500, 503 or 429");
        assertThatThrownBy(() -> Outage.parseAll("503:1s+0s")).hasMessageContaining("longer than 0");
        assertThatThrownBy(() -> Outage.parseAll("503:soon+1s")).hasMessageContaining("503:soon+1s");
        Outage outage = Outage.parse("500:2s+1s");
        assertThat(outage.covers(Duration.ofMillis(1999))).isFalse();
        assertThat(outage.covers(Duration.ofSeconds(2))).isTrue();
        assertThat(outage.covers(Duration.ofMillis(2999))).isTrue();
        assertThat(outage.covers(Duration.ofSeconds(3))).isFalse();
    }

    @Test
    void errorMarkersAnswerGooglesEnvelopes() throws IOException {
        start(SimulatorOptions.builder());
        HttpResponse<String> overloaded = client.aiStudio("[sim:503]");
        assertThat(overloaded.statusCode()).isEqualTo(503);
        assertThat(overloaded.body()).isEqualTo(
                "{\"error\":{\"code\":503,\"message\":\"The model is overloaded. Please try again later.\",\"status\":\"UNAVAILABLE\"}}");
        HttpResponse<String> internal = client.aiStudio("[sim:500]");
        assertThat(internal.statusCode()).isEqualTo(500);
        assertThat(json(internal).at("/error/status").asText()).isEqualTo("INTERNAL");
        HttpResponse<String> invalid = client.aiStudio("[sim:400]");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(json(invalid).at("/error/status").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(simulator.stats().at("/faults/503").asLong()).isEqualTo(1);
    }

    @Test
    void forbiddenMarkerEchoesTheKeyLikeGooglesSuspendedKeyAnswerAndIsNotMetered() throws IOException {
        start(SimulatorOptions.builder().rpm(1));
        HttpResponse<String> response = client.aiStudio("[sim:403]");
        assertThat(response.statusCode()).isEqualTo(403);
        JsonNode error = json(response).path("error");
        assertThat(error.path("status").asText()).isEqualTo("PERMISSION_DENIED");
        assertThat(error.path("message").asText()).isEqualTo("Permission denied: Consumer 'api_key:" + SimClient.KEY + "' has been suspended.");
        assertThat(error.at("/details/0/reason").asText()).isEqualTo("CONSUMER_SUSPENDED");
        assertThat(client.aiStudio("fine").statusCode()).as("the 403 used no quota").isEqualTo(200);
    }

    @Test
    void failFirstNTimesThenSucceed() throws IOException {
        start(SimulatorOptions.builder());
        String prompt = "flaky [sim:503x2]";
        assertThat(client.aiStudio(prompt).statusCode()).isEqualTo(503);
        assertThat(client.aiStudio("other [sim:503x2]").statusCode()).as("each prompt has its own budget").isEqualTo(503);
        assertThat(client.aiStudio(prompt).statusCode()).isEqualTo(503);
        assertThat(client.aiStudio(prompt).statusCode()).isEqualTo(200);
        assertThat(client.aiStudio(prompt).statusCode()).isEqualTo(200);
        assertThat(client.aiStudio("once [sim:500x1]").statusCode()).isEqualTo(500);
        assertThat(client.aiStudio("once [sim:500x1]").statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> client.aiStudio("drop [sim:resetx1]")).isInstanceOf(UncheckedIOException.class);
        assertThat(client.aiStudio("drop [sim:resetx1]").statusCode()).isEqualTo(200);
        assertThat(simulator.stats().at("/billedByPrompt").path(prompt).asLong()).isEqualTo(2);
    }

    @Test
    void resetClosesTheConnectionWithoutAnswer() throws IOException {
        start(SimulatorOptions.builder());
        assertThatThrownBy(() -> client.aiStudio("[sim:reset]")).isInstanceOf(UncheckedIOException.class);
        assertThat(simulator.stats().at("/faults/reset").asLong()).isEqualTo(1);
    }

    @Test
    void truncateSendsPartOfTheBodyThenCloses() throws IOException {
        start(SimulatorOptions.builder());
        assertThatThrownBy(() -> client.aiStudio("[sim:truncate]")).isInstanceOf(UncheckedIOException.class)
                .hasRootCauseInstanceOf(IOException.class);
        assertThat(simulator.stats().path("imagesBilled").asLong()).as("the image was generated, so billed").isEqualTo(1);
    }

    @Test
    void malformedIs200WithInvalidJson() throws IOException {
        start(SimulatorOptions.builder());
        HttpResponse<String> response = client.aiStudio("[sim:malformed]");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> SimClient.JSON.readTree(response.body())).isInstanceOf(IOException.class);
    }

    @Test
    void stallHoldsTheRequestUntilTheStallTimeThenDropsIt() throws IOException {
        start(SimulatorOptions.builder().stallMillis(300));
        long started = System.nanoTime();
        assertThatThrownBy(() -> client.aiStudio("[sim:stall]")).isInstanceOf(UncheckedIOException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void closeEndsStalledRequestsAtOnce() throws Exception {
        start(SimulatorOptions.builder());
        java.util.concurrent.CompletableFuture<Throwable> stalled = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                client.aiStudio("[sim:stall]");
                return null;
            } catch (RuntimeException e) {
                return e;
            }
        });
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> simulator.stats().at("/faults/stall").asLong() == 1);
        long started = System.nanoTime();
        simulator.close();
        assertThat(stalled.get(5, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(UncheckedIOException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void latencyMarkerDelaysTheAnswer() throws IOException {
        start(SimulatorOptions.builder());
        long started = System.nanoTime();
        assertThat(client.aiStudio("slow [sim:latency=250]").statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
    }

    @Test
    void configuredLatencyDelaysEveryAdmittedAnswer() throws IOException {
        start(SimulatorOptions.builder().latency(200, 50));
        long started = System.nanoTime();
        client.aiStudio("timed");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
    }

    @Test
    void faultRatesAreDrawnFromTheSeed() throws IOException {
        start(SimulatorOptions.builder().faults(Map.of("503", 0.5)).seed(42));
        int overloaded = 0;
        StringBuilder sequence = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            int status = client.aiStudio("p" + i).statusCode();
            sequence.append(status == 503 ? 'x' : '.');
            overloaded += status == 503 ? 1 : 0;
        }
        assertThat(overloaded).isBetween(70, 130);
        assertThat(simulator.stats().at("/faults/503").asLong()).isEqualTo(overloaded);
        simulator.close();

        start(SimulatorOptions.builder().faults(Map.of("503", 0.5)).seed(42));
        StringBuilder again = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            again.append(client.aiStudio("p" + i).statusCode() == 503 ? 'x' : '.');
        }
        assertThat(again.toString()).isEqualTo(sequence.toString());
    }

    @Test
    void injected429IsBareOnAiStudioAndCounted() throws IOException {
        start(SimulatorOptions.builder().faults("429=1"));
        HttpResponse<String> response = client.aiStudio("busy");
        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(json(response).at("/error/message").asText()).isEqualTo("Resource has been exhausted (e.g. check quota).");
        assertThat(simulator.stats().at("/http429ByKind/injected").asLong()).isEqualTo(1);
        assertThat(simulator.stats().path("http429").asLong()).isEqualTo(1);
    }

    @Test
    void unknownFaultNamesAndImpossibleRatesAreRefused() {
        assertThatThrownBy(() -> SimulatorOptions.builder().faults("504=0.1")).hasMessageContaining("Unknown fault '504'")
                .hasMessageContaining("503");
        assertThatThrownBy(() -> SimulatorOptions.builder().faults("503=0.7,500=0.5")).hasMessageContaining("more than 1");
        assertThatThrownBy(() -> SimulatorOptions.builder().faults("503")).hasMessageContaining("NAME=RATE");
    }
}
