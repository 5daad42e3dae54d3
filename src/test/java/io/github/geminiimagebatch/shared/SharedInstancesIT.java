package io.github.geminiimagebatch.shared;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.GenerateCall;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import io.github.geminiimagebatch.testing.Manifests;
import io.github.geminiimagebatch.testing.JarInstances;
import io.github.geminiimagebatch.testing.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several instances of the packaged jar, each its own JVM, sharing one real redis-server and one
 * simulator project: a per-day close, item claims (also of an instance killed with SIGKILL) and a
 * Redis outage. Runs in the integration-test phase, after {@code package}.
 */
class SharedInstancesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PROCESS_LIMIT = Duration.ofSeconds(120);

    @TempDir
    Path tmp;
    JarInstances instances;
    RedisServer redis;
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
    void aPerDay429SeenByOneInstanceStopsTheOthersBeforeTheySendAgain() throws Exception {
        redis = instances.redis();
        simulator = instances.simulator(SimulatorOptions.builder().port(0).rpd(6).latency(300, 100).build());
        dropPrompts("a", "day", prompts("a", 12));
        dropPrompts("b", "day", prompts("b", 12));
        dropPrompts("c", "day", prompts("c", 12));

        Process a = launch("a", "--set", "imagegen.provider.sim.maxConcurrency=2");
        Process b = launch("b", "--set", "imagegen.provider.sim.maxConcurrency=2");
        assertThat(finish(a, "a")).as("a: exit 3, the day is used up").isEqualTo(3);
        assertThat(finish(b, "b")).as("b: exit 3, the day is used up").isEqualTo(3);
        JsonNode afterAandB = simulator.stats();
        long perDay429s = afterAandB.path("http429ByKind").path("perDay").asLong();
        // the first per-day 429 closes both: after it only what was already in flight arrives (2 per instance)
        assertThat(perDay429s).isBetween(1L, 1L + 2 + 2);
        assertThat(afterAandB.path("imagesBilled").asLong()).isEqualTo(6);

        Process c = launch("c");
        assertThat(finish(c, "c")).as("c: exit 3 without a request").isEqualTo(3);
        assertThat(simulator.stats().path("requests").asLong()).as("c sent nothing")
                .isEqualTo(afterAandB.path("requests").asLong());
        assertThat(log("c")).contains("per-day quota on sim exhausted").containsPattern("seen by instance [ab]");
    }

    /**
     * Three instances sending at the same time (held by a shared pause until each has its items
     * waiting, then let go together): after the first per-day 429 is known (the close is put to Redis
     * before the instance logs the 429), an instance's requests that still reach the server are at
     * most those it had in flight then: its maxConcurrency less its requests the server was still
     * generating at that moment.
     */
    @Test
    void instancesRunningTogetherSendAfterThePerDay429OnlyWhatTheyHadInFlight() throws Exception {
        redis = instances.redis();
        // One request at a time each, generating 1.5 s: when the 429 comes, each instance is almost surely
        // waiting for an answer, so it may send nothing after it; told nothing, it would send its next item.
        simulator = instances.simulator(SimulatorOptions.builder().port(0).rpd(12).latency(1500, 200).build());
        int maxConcurrency = 1;
        List<String> names = List.of("a", "b", "c");
        String pause = "gib:{sim:gemini-3.1-flash-image}:paused";
        redis.command("SET", pause, "the test starts every instance together", "PX", "3000");
        Map<String, Process> running = new LinkedHashMap<>();
        for (String instance : names) {
            dropPrompts(instance, "day", prompts(instance, 10));
            running.put(instance, launch(instance, "--set", "imagegen.provider.sim.maxConcurrency=" + maxConcurrency));
        }
        holdTogether(pause, running, "Batch day:");
        for (String instance : names) {
            assertThat(finish(running.get(instance), instance)).as("%s: exit 3, the day is used up", instance).isEqualTo(3);
        }
        assertThat(redis.command("EXISTS", "gib:{sim:gemini-3.1-flash-image}:log:requests"))
                .as("the pause that held them is the one the instances share").contains(":1");

        List<GenerateCall> calls = simulator.calls();
        Instant known = names.stream().flatMap(i -> logTimes(i, "got 429 from sim", calls.get(0).arrived()).stream())
                .min(Instant::compareTo).orElseThrow().plusMillis(1);
        assertThat(calls.stream().filter(GenerateCall::throttled).map(GenerateCall::arrived).min(Instant::compareTo))
                .as("the first per-day 429").get().matches(first -> !first.isAfter(known));
        for (String instance : names) {
            List<GenerateCall> mine = calls.stream().filter(c -> c.prompt().startsWith(instance + " prompt ")).toList();
            long before = mine.stream().filter(c -> c.arrived().isBefore(known)).count();
            long generating = mine.stream().filter(c -> c.arrived().isBefore(known) && c.ended().isAfter(known)).count();
            long after = mine.stream().filter(c -> !c.arrived().isBefore(known)).count();
            System.out.printf(Locale.ROOT, "per-day 429 known at %s: instance %s sent %d before, %d being generated then, %d arrived after%n",
                    known, instance, before, generating, after);
            assertThat(before).as("%s was sending before the per-day 429 (the instances ran together)", instance).isPositive();
            assertThat(after).as("%s: requests arriving after the per-day 429 was known (%d being generated then, at most %d"
                    + " in flight)", instance, generating, maxConcurrency).isLessThanOrEqualTo(maxConcurrency - generating);
        }
        assertThat(simulator.stats().path("imagesBilled").asLong()).isEqualTo(12);
    }

    @Test
    void theSamePromptFileInTwoInboxesIsBilledOncePerImage() throws Exception {
        redis = instances.redis();
        simulator = instances.simulator(SimulatorOptions.builder().port(0).latency(300, 200).build());
        List<String> prompts = prompts("lighthouse", 24);
        dropPrompts("a", "same", prompts);
        dropPrompts("b", "same", prompts);

        Process a = launch("a");
        Process b = launch("b");
        assertThat(finish(a, "a")).isZero();
        assertThat(finish(b, "b")).isZero();

        assertBilledOnceEach(prompts);
        Map<String, String> statusA = statuses("a", "same");
        Map<String, String> statusB = statuses("b", "same");
        for (int line = 1; line <= prompts.size(); line++) {
            String id = String.format("%04d", line);
            assertThat(List.of(statusA.get(id), statusB.get(id))).as("item %s: made by one, skipped by the other", id)
                    .containsExactlyInAnyOrder("ok", "skipped");
        }
        assertThat(Manifests.read(outbox("b"), "same").stream()
                .filter(l -> "skipped".equals(l.path("status").asText())).map(l -> l.path("message").asText()).toList())
                .allMatch(message -> message.startsWith("already"));
    }

    @Test
    void theItemsOfAnInstanceKilledWhileHoldingClaimsAreFinishedByTheOther() throws Exception {
        redis = instances.redis();
        simulator = instances.simulator(SimulatorOptions.builder().port(0).latency(1500, 300).build());
        List<String> prompts = prompts("harbour", 30);
        dropPrompts("a", "crash", prompts);
        Process a = launch("a", "--set", "imagegen.shared.claimLease=2s", "--set", "imagegen.provider.sim.maxConcurrency=2");
        awaitImages("a", "crash", 3, a);
        dropPrompts("b", "crash", prompts);
        // b takes 8 at a time (a provider's default is 4): what it finishes after the kill goes twice as fast
        Process b = launch("b", "--set", "imagegen.shared.claimLease=2s", "--set", "imagegen.provider.sim.maxConcurrency=8");
        awaitLog("b", "is generating the same image; waiting for it", b);
        assertThat(a.isAlive()).as("a is still working when b waits for its claims").isTrue();
        a.destroyForcibly().waitFor();
        int heldByA = Integer.parseInt(redis.command("EVAL", "local n = 0 for _, k in ipairs(redis.call('KEYS',"
                + " 'gib:{item:*}:claim')) do if redis.call('GET', k) == 'a' then n = n + 1 end end return n", "0")
                .strip().substring(1));

        assertThat(finish(b, "b")).isZero();
        assertThat(heldByA).as("a held claims when it was killed").isPositive();
        Map<String, String> statusB = statuses("b", "crash");
        List<String> madeByA = imageIds("a", "crash");
        for (int line = 1; line <= prompts.size(); line++) {
            String id = String.format("%04d", line);
            assertThat(madeByA.contains(id) || "ok".equals(statusB.get(id))).as("item %s has an image", id).isTrue();
        }
        JsonNode billed = simulator.stats().path("billedByPrompt");
        long repeats = prompts.stream().mapToLong(p -> Math.max(0, billed.path(p).asLong() - 1)).sum();
        // only the items a held claims on when it died (called, or answered but not yet stored) may be paid twice
        assertThat(repeats).isLessThanOrEqualTo(heldByA);
        assertThat(prompts).allMatch(p -> billed.path(p).asLong() >= 1);
    }

    @Test
    void noInstanceSendsWhileRedisIsDownAndTheRunCompletesAfter() throws Exception {
        redis = instances.redis();
        simulator = instances.simulator(SimulatorOptions.builder().port(0).rpm(30).minute(Duration.ofSeconds(3))
                .latency(200, 100).build());
        dropPrompts("a", "outage", prompts("a", 25));
        dropPrompts("b", "outage", prompts("b", 25));
        int healthPort = JarInstances.freePort();
        Process a = launch("a", "--set", "imagegen.provider.sim.limits=30/3s",
                "--set", "camel.management.port=" + healthPort);
        Process b = launch("b", "--set", "imagegen.provider.sim.limits=30/3s");
        awaitImages("a", "outage", 5, a);

        redis.stop();
        Thread.sleep(1500);
        long atStop = simulator.stats().path("requests").asLong();
        String health = get("http://127.0.0.1:" + healthPort + "/observe/health");
        Thread.sleep(6000);
        long afterOutage = simulator.stats().path("requests").asLong();
        redis.restart();

        assertThat(finish(a, "a")).isZero();
        assertThat(finish(b, "b")).isZero();
        assertThat(afterOutage).as("requests sent while Redis was down").isEqualTo(atStop);
        assertThat(health).contains("DOWN").contains("unreachable");
        assertThat(simulator.stats().path("imagesBilled").asLong()).isEqualTo(50);
        for (String instance : List.of("a", "b")) {
            assertThat(log(instance).lines().filter(l -> l.contains("is unreachable (")).count())
                    .as("one line about the outage from %s", instance).isEqualTo(1);
            assertThat(log(instance)).contains("is reachable again");
        }
    }

    private List<String> prompts(String prefix, int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> prefix + " prompt " + i).toList();
    }

    private void dropPrompts(String instance, String batch, List<String> prompts) throws IOException {
        Path inbox = Files.createDirectories(tmp.resolve(instance).resolve("inbox"));
        Path staged = tmp.resolve(instance).resolve(batch + ".staged");
        Files.write(staged, prompts);
        Files.setLastModifiedTime(staged, FileTime.from(Instant.now().minusSeconds(10)));
        Files.move(staged, inbox.resolve(batch + ".txt"), StandardCopyOption.ATOMIC_MOVE);
    }

    private Path outbox(String instance) {
        return tmp.resolve(instance).resolve("outbox");
    }

    private Process launch(String instance, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("--once",
                "--inbox", tmp.resolve(instance).resolve("inbox").toString(), "--outbox", outbox(instance).toString(),
                "--provider", "sim",
                "--set", "imagegen.provider.sim.type=aistudio",
                "--set", "imagegen.provider.sim.baseUrl=" + simulator.baseUri(),
                "--set", "imagegen.provider.sim.apiKey=test-key-not-secret",
                "--set", "imagegen.shared.redisUrl=" + redis.url(),
                "--set", "imagegen.instance=" + instance,
                "--set", "imagegen.inbox.stableMillis=100",
                "--set", "imagegen.inbox.pollDelayMillis=100",
                "--set", "imagegen.progress.interval=1h"));
        if (List.of(extra).stream().noneMatch(a -> a.startsWith("camel.management.port"))) {
            args.addAll(List.of("--set", "camel.management.enabled=false"));
        }
        args.addAll(List.of(extra));
        return instances.launch(instance, args);
    }

    private int finish(Process process, String instance) throws Exception {
        return instances.finish(instance, process, PROCESS_LIMIT);
    }

    private String log(String instance) throws IOException {
        return instances.log(instance);
    }

    private void awaitImages(String instance, String batch, int count, Process process) throws Exception {
        long deadline = System.nanoTime() + PROCESS_LIMIT.toNanos();
        while (imageIds(instance, batch).size() < count) {
            if (!process.isAlive()) {
                throw new AssertionError(instance + " ended before " + count + " images; log: " + log(instance));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + count + " images from " + instance + "; log: " + log(instance));
            }
            Thread.sleep(20);
        }
    }

    private void awaitLog(String instance, String text, Process process) throws Exception {
        instances.awaitLog(instance, text, process, PROCESS_LIMIT);
    }

    /**
     * Keeps the shared pause {@code key} on until every instance has logged {@code ready} (its batch is
     * open and its items wait for the provider), then lets it run out a moment later: they all start
     * sending together.
     */
    private void holdTogether(String key, Map<String, Process> running, String ready) throws Exception {
        long deadline = System.nanoTime() + PROCESS_LIMIT.toNanos();
        while (!running.keySet().stream().allMatch(instance -> logContains(instance, ready))) {
            redis.command("SET", key, "the test starts every instance together", "PX", "2000");
            for (Map.Entry<String, Process> instance : running.entrySet()) {
                if (!instance.getValue().isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError(instance.getKey() + " never logged '" + ready + "'; log: " + log(instance.getKey()));
                }
            }
            Thread.sleep(100);
        }
        redis.command("SET", key, "the test starts every instance together", "PX", "1500");
    }

    private boolean logContains(String instance, String text) {
        try {
            return log(instance).contains(text);
        } catch (IOException notYet) {
            return false;
        }
    }

    /** When (this machine's clock, as the simulator's) the instance logged lines containing {@code text}; near {@code around}. */
    private List<Instant> logTimes(String instance, String text, Instant around) {
        ZoneId zone = ZoneId.systemDefault();
        try {
            return log(instance).lines().filter(line -> line.contains(text)).map(line -> {
                LocalTime time = LocalTime.parse(line.substring(0, 12));
                Instant sameDay = time.atDate(around.atZone(zone).toLocalDate()).atZone(zone).toInstant();
                // a run across midnight: the line belongs to the day that puts it nearest the run
                return Stream.of(sameDay.minus(Duration.ofDays(1)), sameDay, sameDay.plus(Duration.ofDays(1)))
                        .min(Comparator.comparing(at -> Duration.between(at, around).abs())).orElseThrow();
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> imageIds(String instance, String batch) throws IOException {
        Path dir = outbox(instance).resolve(batch);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d{4}\\.png"))
                    .map(n -> n.substring(0, 4)).toList();
        }
    }

    private Map<String, String> statuses(String instance, String batch) throws IOException {
        return Manifests.read(outbox(instance), batch).stream()
                .collect(Collectors.toMap(l -> l.path("id").asText(), l -> l.path("status").asText()));
    }

    private void assertBilledOnceEach(List<String> prompts) {
        JsonNode billed = simulator.stats().path("billedByPrompt");
        Iterator<String> names = billed.fieldNames();
        List<String> seen = new ArrayList<>();
        names.forEachRemaining(seen::add);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(prompts);
        assertThat(prompts).allSatisfy(p -> assertThat(billed.path(p).asLong()).as("billed for '%s'", p).isEqualTo(1));
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }
}
