package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatorStatsTest {

    @Test
    void perPromptCountersStopGrowingAtTheCapAndTheRestIsSummed() {
        SimulatorStats stats = new SimulatorStats(() -> 0);
        for (int i = 0; i < SimulatorStats.MAX_TRACKED_PROMPTS + 10; i++) {
            stats.billed("prompt " + i, 1);
        }
        stats.billed("prompt 0", 1);
        JsonNode json = stats.toJson(Map.of(), 0);
        assertThat(json.path("billedByPrompt").size()).isEqualTo(SimulatorStats.MAX_TRACKED_PROMPTS);
        assertThat(json.path("billedToOtherPrompts").asLong()).isEqualTo(10);
        assertThat(json.at("/billedByPrompt/prompt 0").asLong()).isEqualTo(2);
        assertThat(json.path("imagesBilled").asLong()).isEqualTo(SimulatorStats.MAX_TRACKED_PROMPTS + 11);
    }

    @Test
    void countsRequestsOnlyForGenerateEndpointsAnd429sByKind() {
        SimulatorStats stats = new SimulatorStats(() -> 0);
        stats.endpointRequest(Endpoint.AI_STUDIO);
        stats.endpointRequest(Endpoint.OPENROUTER);
        stats.endpointRequest(Endpoint.TOKEN);
        stats.endpointRequest(Endpoint.SIM);
        stats.quotaRejected(List.of("perMinute", "perDay"));
        stats.fault(FaultKind.RESOURCE_EXHAUSTED);
        JsonNode json = stats.toJson(Map.of(), 0);
        assertThat(json.path("requests").asLong()).isEqualTo(2);
        assertThat(json.at("/requestsByEndpoint/token").asLong()).isEqualTo(1);
        assertThat(json.path("http429").asLong()).isEqualTo(2);
        assertThat(json.at("/http429ByKind/perMinute").asLong()).isEqualTo(1);
        assertThat(json.at("/http429ByKind/perDay").asLong()).isEqualTo(1);
        assertThat(json.at("/http429ByKind/imagesPerMinute").asLong()).isZero();
        assertThat(json.at("/http429ByKind/injected").asLong()).isEqualTo(1);
        stats.reset();
        assertThat(stats.toJson(Map.of(), 0).path("http429").asLong()).isZero();
    }

    @Test
    void theTimelineCountsCallsAndImagesPerSecondSinceStartForTheFirstHour() {
        long[] second = {0};
        SimulatorStats stats = new SimulatorStats(() -> second[0]);
        assertThat(stats.toJson(Map.of(), 0).at("/timeline/requests")).isEmpty();
        stats.endpointRequest(Endpoint.AI_STUDIO);
        stats.billed("a", 1);
        second[0] = 2;
        stats.endpointRequest(Endpoint.AI_STUDIO);
        stats.endpointRequest(Endpoint.VERTEX);
        stats.endpointRequest(Endpoint.TOKEN);
        stats.billed("b", 0);
        second[0] = SimulatorStats.TIMELINE_SECONDS;
        stats.endpointRequest(Endpoint.AI_STUDIO);
        JsonNode timeline = stats.toJson(Map.of(), 0).path("timeline");
        assertThat(timeline.path("requests").toString()).isEqualTo("[1,0,2]");
        assertThat(timeline.path("images").toString()).isEqualTo("[1,0,0]");
        stats.reset();
        assertThat(stats.toJson(Map.of(), 0).at("/timeline/requests")).isEmpty();
    }

    @Test
    void slowdownStretchesLatencyWithRequestsInFlight() {
        assertThat(GenerateService.loadedLatencyMillis(300, 0.1, 1)).isEqualTo(300);
        assertThat(GenerateService.loadedLatencyMillis(300, 0.1, 11)).isEqualTo(600);
        assertThat(GenerateService.loadedLatencyMillis(300, 0, 50)).isEqualTo(300);
        assertThat(GenerateService.loadedLatencyMillis(-20, 0.5, 3)).isZero();
    }
}
