package io.github.geminiimagebatch.shared;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.queue.Broker;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import io.github.geminiimagebatch.testing.JarInstances;
import io.github.geminiimagebatch.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The work queue and the shared quota together: two instances (separate JVMs) take the items of one
 * batch from one work queue on a real (embedded) Artemis broker and pace through one real
 * redis-server under the project's limit, with one shared outbox. Each image is made once and the
 * two together stay under the limit (alone, each would pace to the whole of it).
 */
class QueueAndSharedQuotaIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ITEMS = 48;

    @TempDir
    Path tmp;
    JarInstances instances;
    RedisServer redis;
    Broker broker;
    GeminiSimulator simulator;

    @BeforeEach
    void start() {
        instances = new JarInstances(tmp);
    }

    @AfterEach
    void stop() throws Exception {
        instances.close();
    }

    @Test
    void twoInstancesOnOneWorkQueueShareOneQuotaAndMakeEachImageOnce() throws Exception {
        redis = instances.redis();
        broker = instances.broker(6);
        simulator = instances.simulator(SimulatorOptions.builder().port(0).rpm(12).minute(Duration.ofSeconds(2))
                .latency(300, 100).build());
        String queue = "items-" + System.nanoTime();

        Process worker = launch("b", queue, false);
        instances.awaitLog("b", "Watching", worker, Duration.ofSeconds(120));
        List<String> prompts = IntStream.rangeClosed(1, ITEMS).mapToObj(i -> "lighthouse number " + i).toList();
        Path inbox = Files.createDirectories(tmp.resolve("inbox-a"));
        Path staged = Files.write(tmp.resolve("lighthouses.staged"), prompts);
        Files.setLastModifiedTime(staged, FileTime.from(Instant.now().minusSeconds(10)));
        Files.move(staged, inbox.resolve("lighthouses.txt"), StandardCopyOption.ATOMIC_MOVE);
        Process owner = launch("a", queue, true);

        assertThat(instances.finish("a", owner, Duration.ofSeconds(180))).as("exit code; log: %s", instances.log("a")).isZero();
        Map<String, Integer> byInstance = new TreeMap<>();
        for (String line : Files.readAllLines(tmp.resolve("outbox/lighthouses/manifest.jsonl"))) {
            JsonNode entry = JSON.readTree(line);
            assertThat(entry.path("status").asText()).as(line).isEqualTo("ok");
            byInstance.merge(entry.path("instance").asText(), 1, Integer::sum);
        }
        assertThat(byInstance.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(ITEMS);
        assertThat(byInstance).as("both instances took items from the queue").containsOnlyKeys("a", "b");
        JsonNode stats = simulator.stats();
        System.out.printf(Locale.ROOT, "work queue and shared quota, %d items: made by %s; %d requests, %d 429s%n", ITEMS,
                byInstance, stats.path("requests").asLong(), stats.path("http429").asLong());
        assertThat(prompts).allSatisfy(p -> assertThat(stats.path("billedByPrompt").path(p).asLong()).as(p).isEqualTo(1));
        // together under 12 per 2 s; alone each would pace to the whole limit and the two would collect 429s.
        // One 429 is allowed for a loaded machine, where a request may reach the server later than it was counted.
        assertThat(stats.path("http429").asLong()).as("429s; requests %s", stats.path("requests")).isLessThanOrEqualTo(1);
        assertThat(redis.command("EXISTS", "gib:{simulator:gemini-3.1-flash-image}:log:requests")).contains(":1");
        assertThat(instances.log("a")).contains("Shared quota for simulator (gemini-3.1-flash-image) in instance a:");
    }

    private Process launch(String instance, String queue, boolean once) throws IOException {
        List<String> args = new ArrayList<>(List.of(
                "--inbox", Files.createDirectories(tmp.resolve("inbox-" + instance)).toString(),
                "--outbox", tmp.resolve("outbox").toString(), "--provider", "simulator",
                "--set", "imagegen.provider.simulator.baseUrl=" + simulator.baseUri(),
                "--set", "imagegen.provider.simulator.limits=12/2s",
                "--set", "imagegen.shared.redisUrl=" + redis.url(),
                "--set", "imagegen.work.uri=jms:queue:" + queue,
                "--set", "imagegen.jms.url=" + broker.url(),
                "--set", "imagegen.instance=" + instance,
                "--set", "imagegen.concurrency=4",
                "--set", "imagegen.inbox.stableMillis=100",
                "--set", "imagegen.inbox.pollDelayMillis=100",
                "--set", "imagegen.progress.interval=1h",
                "--set", "camel.management.enabled=false"));
        if (once) {
            args.add("--once");
        }
        return instances.launch(instance, args);
    }
}
