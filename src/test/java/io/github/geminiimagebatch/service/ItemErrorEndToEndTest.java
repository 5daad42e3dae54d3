package io.github.geminiimagebatch.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An Error thrown in an item thread (through a provider route template that throws what the prompt names)
 * leaves the item pending, fails it with the reason when it repeats, and the service goes on.
 */
class ItemErrorEndToEndTest {

    @TempDir
    Path dir;

    @Test
    void anErrorInAnItemThreadLeavesItPendingThenFailsItWhenItRepeatsAndTheServiceGoesOn() throws Exception {
        try (GeminiSimulator simulator = GeminiSimulator.start(SimulatorOptions.builder().port(0).build());
             ServiceRun service = new ServiceRun(dir, Map.ofEntries(
                     Map.entry("imagegen.providers", "erring"),
                     Map.entry("imagegen.provider.erring.type", "simulator"),
                     Map.entry("imagegen.provider.erring.baseUrl", simulator.baseUri().toString()),
                     Map.entry("imagegen.provider.erring.routeTemplate", "erring-gemini-api"),
                     Map.entry("imagegen.routes.include", "classpath:service/erring-gemini-api.camel.yaml"),
                     Map.entry("imagegen.pending.retryAfter", "1s"),
                     Map.entry("imagegen.pending.retryAfterMax", "1s"),
                     Map.entry("imagegen.pending.checkInterval", "200ms")))) {
            service.drop("mixed.txt", "a calm lake\na defect [throw:AssertionError]\ndeep [throw:StackOverflowError]\na red kite\n");

            Path manifest = service.outbox.resolve("mixed/manifest.jsonl");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(service.outbox.resolve("mixed/report.json")));
            List<JsonNode> first = ServiceFiles.jsonLines(manifest);
            assertThat(first).extracting(l -> l.get("status").asText()).containsExactly("ok", "pending", "pending", "ok");
            assertThat(first.get(1).get("reason").asText()).isEqualTo("internal_error");
            assertThat(first.get(1).get("message").asText()).contains("AssertionError");

            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(service.inbox.resolve(".done/mixed.txt")));
            List<JsonNode> last = ServiceFiles.jsonLines(manifest);
            assertThat(last).extracting(l -> l.get("status").asText()).containsExactly("skipped", "failed", "failed", "skipped");
            assertThat(last.get(1).get("reason").asText()).isEqualTo("internal_error");
            assertThat(last.get(2).get("message").asText()).contains("StackOverflowError");

            service.drop("after.txt", "a quiet harbour\n");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(service.inbox.resolve(".done/after.txt")));
            assertThat(service.running()).isTrue();
            assertThat(service.stop()).as("failed items").isEqualTo(2);
        }
    }
}
