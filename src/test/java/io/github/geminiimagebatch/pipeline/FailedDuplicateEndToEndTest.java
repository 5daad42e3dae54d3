package io.github.geminiimagebatch.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.github.geminiimagebatch.pipeline.Harness.byId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request that failed for good is not sent again for a duplicate taken in the same poll, even when that
 * duplicate begins after the first has settled (here ten items later): the run sends what {@code plan} said.
 */
class FailedDuplicateEndToEndTest extends HarnessTest {

    private static final String BLOCKED = "a prompt the model always blocks [sim:safety]";

    @Test
    void aDuplicateOfARequestThatFailedEarlierInTheRunFailsWithoutBeingSent() throws Exception {
        String fresh = IntStream.rangeClosed(1, 10).mapToObj(i -> "fresh prompt " + i).collect(Collectors.joining("\n"));
        h.drop("twice.txt", BLOCKED + "\n" + fresh + "\n" + BLOCKED + "\n");
        assertThat(h.plan()).contains("1 duplicate(s)", "11 to generate");

        assertThat(h.runOnce("--set", "imagegen.concurrency=2")).as("exit code: items failed").isEqualTo(2);

        assertThat(h.requests()).as("the blocked request is sent once, the ten fresh ones once each").isEqualTo(11);
        Map<String, JsonNode> manifest = byId(h.manifest("twice"));
        assertThat(manifest.get("0001").path("reason").asText()).isEqualTo("safety");
        assertThat(manifest.get("0012").path("status").asText()).isEqualTo("failed");
        assertThat(manifest.get("0012").path("reason").asText()).isEqualTo("safety");
        assertThat(manifest.get("0012").path("message").asText()).startsWith("the same request failed in this run (");
    }
}
