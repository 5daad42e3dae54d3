package io.github.geminiimagebatch.service;

import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service (no --once) against simulators that refuse the key until it is switched on over the
 * simulator's POST /sim/keys: the refusing provider is tried again with one request on the pending
 * schedule, and work it left pending finishes without a restart once the key works.
 */
class RefusedCredentialsEndToEndTest {

    private static final String KEY = "key-switched-on-later-1234";
    private static final String OTHER_KEY = "key-of-another-project-5678";

    @TempDir
    Path dir;

    private static Map<String, String> provider(String name, GeminiSimulator sim, String key) {
        return Map.of("imagegen.provider." + name + ".type", "aistudio",
                "imagegen.provider." + name + ".baseUrl", sim.baseUri().toString(),
                "imagegen.provider." + name + ".apiKey", key);
    }

    private static Map<String, String> service(String providers, Map<String, String> providerSettings) {
        Map<String, String> settings = new HashMap<>(providerSettings);
        settings.put("imagegen.providers", providers);
        settings.put("imagegen.pending.retryAfter", "1s");
        settings.put("imagegen.pending.retryAfterMax", "2s");
        settings.put("imagegen.pending.checkInterval", "200ms");
        return settings;
    }

    /** Switches the key on as a user would from outside: over the simulator's HTTP control. */
    private static void acceptKey(GeminiSimulator sim, String key) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(sim.baseUri() + "/sim/keys"))
                .POST(HttpRequest.BodyPublishers.ofString("[\"" + key + "\"]")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).doesNotContain(key);
    }

    private static long requests(GeminiSimulator sim) {
        return sim.stats().path("requests").asLong();
    }

    @Test
    void workLeftPendingByARefusedKeyIsProbedOneRequestAtATimeAndFinishesOnceTheKeyWorks() throws Exception {
        try (GeminiSimulator sim = GeminiSimulator.start(SimulatorOptions.builder().port(0)
                .acceptedKeys(Set.of(OTHER_KEY)).build());
             ServiceRun service = new ServiceRun(dir, service("studio", provider("studio", sim, KEY)))) {
            service.drop("owls.txt", "an owl 1\nan owl 2\nan owl 3\nan owl 4\n");
            Path manifest = service.outbox.resolve("owls/manifest.jsonl");

            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(service.outbox.resolve("owls/report.json")));
            assertThat(ServiceFiles.jsonLines(manifest)).hasSize(4).allSatisfy(line -> {
                assertThat(line.get("status").asText()).isEqualTo("pending");
                assertThat(line.get("reason").asText()).isEqualTo("auth");
            });
            // the file is read again each 1 s, then 2 s: each time one probe goes, not the four items
            await().atMost(Duration.ofSeconds(20)).until(() -> requests(sim) >= 3);
            assertThat(requests(sim)).as("one request per probe").isLessThanOrEqualTo(4);
            assertThat(sim.stats().path("imagesBilled").asLong()).isZero();
            assertThat(service.inbox.resolve("owls.txt")).exists();

            acceptKey(sim, KEY);

            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(service.inbox.resolve(".done/owls.txt")));
            assertThat(service.running()).isTrue();
            assertThat(ServiceFiles.jsonLines(manifest)).hasSize(4)
                    .allSatisfy(line -> assertThat(line.get("status").asText()).isEqualTo("ok"));
            assertThat(sim.stats().path("imagesBilled").asLong()).as("each image paid once").isEqualTo(4);
            assertThat(service.stop()).as("nothing is left pending").isZero();
        }
    }

    @Test
    void whileOneProviderRefusesTheNextTakesTheWorkAndTheFirstIsUsedAgainOnceItsKeyWorks() throws Exception {
        try (GeminiSimulator refusing = GeminiSimulator.start(SimulatorOptions.builder().port(0)
                .acceptedKeys(Set.of(OTHER_KEY)).build());
             GeminiSimulator backup = GeminiSimulator.start(SimulatorOptions.builder().port(0).build())) {
            Map<String, String> providers = new HashMap<>(provider("first", refusing, KEY));
            providers.putAll(provider("second", backup, OTHER_KEY));
            try (ServiceRun service = new ServiceRun(dir, service("first,second", providers))) {
                service.drop("cats.txt", "a cat 1\na cat 2\na cat 3\na cat 4\n");
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(service.inbox.resolve(".done/cats.txt")));
                assertThat(imagesByProvider(service.outbox.resolve("cats"))).containsExactlyEntriesOf(Map.of("second", 4L));
                assertThat(requests(refusing)).isOne();

                acceptKey(refusing, KEY);
                // past the first probe's time (1 s after the refusal): the next file's first item is the probe
                Thread.sleep(1_500);
                service.drop("dogs.txt", "a dog 1\na dog 2\na dog 3\na dog 4\n");

                await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(service.inbox.resolve(".done/dogs.txt")));
                assertThat(imagesByProvider(service.outbox.resolve("dogs"))).containsKey("first");
                assertThat(refusing.stats().path("imagesBilled").asLong()).isEqualTo(imagesByProvider(
                        service.outbox.resolve("dogs")).get("first"));
                assertThat(service.stop()).isZero();
            }
        }
    }

    private static Map<String, Long> imagesByProvider(Path batch) throws Exception {
        return ServiceFiles.sidecars(batch).stream()
                .collect(Collectors.groupingBy(s -> s.path("provider").asText(), Collectors.counting()));
    }
}
