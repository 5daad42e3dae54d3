package io.github.geminiimagebatch.provider;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failover between two AI Studio "projects" (two simulators, two providers of one type): a per-day
 * quota running out, credentials refused, and a provider that only answers 503.
 */
class ProviderFailoverEndToEndTest {

    private static final String KEY_A = "key-of-project-a-0123";
    private static final String KEY_B = "key-of-project-b-4567";

    @TempDir
    Path tmp;

    private ProviderRun twoProjects(GeminiSimulator a, GeminiSimulator b) throws Exception {
        return new ProviderRun(tmp).dropPrompts("ten.txt", 10)
                .provider("project-a", "type", "aistudio")
                .provider("project-a", "baseUrl", a.baseUri().toString())
                .provider("project-a", "apiKey", KEY_A)
                .provider("project-b", "type", "aistudio")
                .provider("project-b", "baseUrl", b.baseUri().toString())
                .provider("project-b", "apiKey", KEY_B);
    }

    private static Map<String, Long> imagesByProvider(List<JsonNode> sidecars) {
        return sidecars.stream().collect(Collectors.groupingBy(s -> s.path("provider").asText(), Collectors.counting()));
    }

    @Test
    void aPerDayQuotaRunningOutMovesTheRestToTheNextProject() throws Exception {
        try (GeminiSimulator a = GeminiSimulator.start(SimulatorOptions.builder().rpd(3).build());
             GeminiSimulator b = GeminiSimulator.start(SimulatorOptions.builder().build())) {
            ProviderRun run = twoProjects(a, b);

            assertThat(run.once("project-a,project-b")).isEqualTo(0);

            List<JsonNode> sidecars = run.sidecars("ten");
            assertThat(sidecars).hasSize(10)
                    .allSatisfy(s -> assertThat(s.path("providerType").asText()).isEqualTo("aistudio"));
            assertThat(imagesByProvider(sidecars)).containsExactlyInAnyOrderEntriesOf(Map.of("project-a", 3L, "project-b", 7L));
            assertThat(a.stats().path("imagesBilled").asLong()).isEqualTo(3);
            assertThat(a.stats().at("/http429ByKind/perDay").asLong()).isBetween(1L, 4L);
            assertThat(b.stats().path("requests").asLong()).isEqualTo(7);
            JsonNode report = run.report("ten");
            assertThat(report.at("/providers/project-a/images").asInt()).isEqualTo(3);
            assertThat(report.at("/providers/project-b/images").asInt()).isEqualTo(7);
        }
    }

    @Test
    void aRefusedKeyMakesTheProviderUnusableAtOnce() throws Exception {
        try (GeminiSimulator a = GeminiSimulator.start(SimulatorOptions.builder().acceptedKeys(Set.of("another-key-999999")).build());
             GeminiSimulator b = GeminiSimulator.start(SimulatorOptions.builder().acceptedKeys(Set.of(KEY_B)).build())) {
            ProviderRun run = twoProjects(a, b).provider("project-a", "maxConcurrency", "3");

            assertThat(run.once("project-a,project-b")).isEqualTo(0);

            assertThat(imagesByProvider(run.sidecars("ten"))).containsExactlyEntriesOf(Map.of("project-b", 10L));
            assertThat(a.stats().path("requests").asLong()).isBetween(1L, 3L);
            assertThat(b.stats().path("requests").asLong()).isEqualTo(10);
        }
    }

    @Test
    void aSuspendedKeyWith403MakesTheProviderUnusableAtOnce() throws Exception {
        try (GeminiSimulator a = GeminiSimulator.start(SimulatorOptions.builder().faults("403=1.0").build());
             GeminiSimulator b = GeminiSimulator.start(SimulatorOptions.builder().build());
             LogCapture log = LogCapture.attach()) {
            ProviderRun run = twoProjects(a, b).provider("project-a", "maxConcurrency", "2");

            assertThat(run.once("project-a,project-b")).isEqualTo(0);

            assertThat(imagesByProvider(run.sidecars("ten"))).containsExactlyEntriesOf(Map.of("project-b", 10L));
            assertThat(a.stats().path("requests").asLong()).isBetween(1L, 2L);
            assertThat(a.stats().at("/responsesByStatus/403").asLong()).isEqualTo(a.stats().path("requests").asLong());
            // Google's suspended-key answer echoes the key; it must not reach the log.
            assertThat(log.all()).contains("Provider project-a refused our credentials").doesNotContain(KEY_A);
        }
    }

    @Test
    void anOverloadedProviderIsPassedOverWithoutBurningTheItemsRetries() throws Exception {
        try (GeminiSimulator a = GeminiSimulator.start(SimulatorOptions.builder().faults("503=1.0").build());
             GeminiSimulator b = GeminiSimulator.start(SimulatorOptions.builder().latency(100, 0).build())) {
            ProviderRun run = twoProjects(a, b).dropPrompts("more.txt", 10)
                    .set("imagegen.retry.maxAttempts", "3");

            assertThat(run.once("project-a,project-b")).isEqualTo(0);

            List<JsonNode> sidecars = run.sidecars("ten");
            sidecars.addAll(run.sidecars("more"));
            assertThat(imagesByProvider(sidecars)).containsExactlyEntriesOf(Map.of("project-b", 20L));
            assertThat(sidecars).allSatisfy(s -> assertThat(s.path("attempts").asInt()).isBetween(1, 2));
            long callsToA = a.stats().path("requests").asLong();
            // A cold provider gets one call until it first answers, so the first failing wave is 1 to 4
            // calls (maxConcurrency 4); afterwards A only gets the odd probe when its backoff pause ends,
            // never one call per item per attempt (that would be 20 or more).
            assertThat(callsToA).isBetween(1L, 8L);
            assertThat(b.stats().path("requests").asLong()).isEqualTo(20);
            assertThat(a.stats().at("/responsesByStatus/503").asLong()).isEqualTo(callsToA);
        }
    }

    @Test
    void anOverflowProviderTakesWorkWhileTheOneBeforeItIsPacing() throws Exception {
        try (GeminiSimulator a = GeminiSimulator.start(SimulatorOptions.builder().build());
             GeminiSimulator b = GeminiSimulator.start(SimulatorOptions.builder().build())) {
            ProviderRun run = twoProjects(a, b)
                    .provider("project-a", "limits", "2/min")
                    .provider("project-b", "overflow", "true");
            long started = System.nanoTime();

            assertThat(run.once("project-a,project-b")).isEqualTo(0);

            // Without overflow the eight items after A's two would wait for A's next minute.
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(25));
            Map<String, Long> made = imagesByProvider(run.sidecars("ten"));
            assertThat(made.get("project-a")).isBetween(1L, 2L);
            assertThat(made.get("project-b")).isEqualTo(10 - made.get("project-a"));
            assertThat(a.stats().path("requests").asLong()).isEqualTo(made.get("project-a"));
        }
    }

    @Test
    void aProviderThatDoesNotServeTheModelIsSkippedForThatModelOnly() throws Exception {
        try (GeminiSimulator a = GeminiSimulator.start(SimulatorOptions.builder().models(Set.of("gemini-2.5-flash-image")).build());
             GeminiSimulator b = GeminiSimulator.start(SimulatorOptions.builder().build())) {
            ProviderRun run = twoProjects(a, b).provider("project-a", "maxConcurrency", "2")
                    .drop("old.jsonl", "{\"id\":\"old1\",\"prompt\":\"an old model image\",\"model\":\"gemini-2.5-flash-image\"}\n"
                            + "{\"id\":\"old2\",\"prompt\":\"another old model image\",\"model\":\"gemini-2.5-flash-image\"}\n");

            assertThat(run.once("project-a,project-b")).isEqualTo(0);

            assertThat(imagesByProvider(run.sidecars("ten"))).containsExactlyEntriesOf(Map.of("project-b", 10L));
            assertThat(imagesByProvider(run.sidecars("old"))).containsExactlyEntriesOf(Map.of("project-a", 2L));
            assertThat(a.stats().at("/responsesByStatus/404").asLong()).isBetween(1L, 2L);
        }
    }

    @Test
    void whenNoProviderServesTheModelTheItemFailsWithModelNotFound() throws Exception {
        try (GeminiSimulator a = GeminiSimulator.start(SimulatorOptions.builder().models(Set.of("gemini-2.5-flash-image")).build());
             GeminiSimulator b = GeminiSimulator.start(SimulatorOptions.builder().models(Set.of("gemini-2.5-flash-image")).build())) {
            ProviderRun run = twoProjects(a, b);

            assertThat(run.once("project-a,project-b")).isEqualTo(2);

            assertThat(run.manifest("ten")).hasSize(10).allSatisfy(line -> {
                assertThat(line.path("status").asText()).isEqualTo("failed");
                assertThat(line.path("reason").asText()).isEqualTo("model_not_found");
            });
            assertThat(a.stats().path("requests").asLong() + b.stats().path("requests").asLong()).isLessThanOrEqualTo(8);
        }
    }

    @Test
    void failoverCrossesWireDialectsAndEachSidecarNamesTheIdSentOnTheWire() throws Exception {
        try (GeminiSimulator studio = GeminiSimulator.start(SimulatorOptions.builder().rpd(2).build());
             GeminiSimulator router = GeminiSimulator.start(SimulatorOptions.builder().acceptedKeys(Set.of(KEY_B)).build())) {
            ProviderRun run = new ProviderRun(tmp).dropPrompts("mixed.txt", 5)
                    .provider("aistudio", "baseUrl", studio.baseUri().toString())
                    .provider("aistudio", "apiKey", KEY_A)
                    .provider("openrouter", "baseUrl", router.baseUri().toString())
                    .provider("openrouter", "apiKey", KEY_B);

            assertThat(run.once("aistudio,openrouter")).isEqualTo(0);

            List<JsonNode> sidecars = run.sidecars("mixed");
            assertThat(imagesByProvider(sidecars)).containsExactlyInAnyOrderEntriesOf(Map.of("aistudio", 2L, "openrouter", 3L));
            assertThat(sidecars).allSatisfy(s -> {
                boolean viaRouter = s.path("provider").asText().equals("openrouter");
                assertThat(s.path("providerType").asText()).isEqualTo(viaRouter ? "openrouter" : "aistudio");
                assertThat(s.path("wireModel").asText())
                        .isEqualTo(viaRouter ? "google/gemini-3.1-flash-image" : "gemini-3.1-flash-image");
            });
            assertThat(router.stats().at("/requestsByEndpoint/openrouter").asLong()).isEqualTo(3);
        }
    }
}
