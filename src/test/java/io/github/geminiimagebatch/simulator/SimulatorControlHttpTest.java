package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.github.geminiimagebatch.simulator.SimClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The /sim/ control surface over real HTTP: the shapes benches in other processes read. */
class SimulatorControlHttpTest extends SimulatorHttpTestBase {

    @Test
    void getSimCallsListsEachGenerateCallWithTheQuotasThatRefusedIt() throws IOException {
        start(SimulatorOptions.builder().rpm(1));
        assertThat(client.aiStudio("first").statusCode()).isEqualTo(200);
        assertThat(client.aiStudio("second").statusCode()).isEqualTo(429);

        // a call is kept as it ends, just after its answer went out: the client can see the answer first
        await().atMost(Duration.ofSeconds(5)).until(() -> simulator.calls().size() == 2);
        HttpResponse<String> response = client.get("/sim/calls");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode calls = json(response).path("calls");
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).path("prompt").asText()).isEqualTo("first");
        assertThat(calls.get(0).has("refusedBy")).as("admitted calls carry no refusedBy").isFalse();
        Instant arrived = Instant.parse(calls.get(0).path("arrived").asText());
        assertThat(Instant.parse(calls.get(0).path("ended").asText())).isAfterOrEqualTo(arrived);
        assertThat(calls.get(1).path("prompt").asText()).isEqualTo("second");
        assertThat(calls.get(1).path("refusedBy")).extracting(JsonNode::asText).contains("perMinute");
        assertThat(simulator.calls()).extracting(GenerateCall::prompt).containsExactly("first", "second");

        HttpResponse<String> reset = client.post("/sim/reset", "");
        assertThat(reset.body()).isEqualTo("{\"reset\":true}");
        assertThat(json(client.get("/sim/calls")).path("calls")).isEmpty();
    }

    @Test
    void anyOtherSimPathOrMethodIsNotFoundNamingTheControlCalls() throws IOException {
        start(SimulatorOptions.builder());
        for (HttpResponse<String> response : List.of(client.get("/sim/unknown"), client.post("/sim/stats", ""),
                client.get("/sim/reset"), client.get("/sim/keys"))) {
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(json(response).at("/error/status").asText()).isEqualTo("NOT_FOUND");
            assertThat(json(response).at("/error/message").asText())
                    .isEqualTo("Use GET /sim/stats, GET /sim/calls, POST /sim/reset or POST /sim/keys.");
        }
        assertThat(simulator.stats().at("/requestsByEndpoint/sim").asLong()).isEqualTo(4);
        assertThat(simulator.stats().path("requests").asLong()).as("control calls are not generate calls").isZero();
    }
}
