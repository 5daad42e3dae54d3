package io.github.geminiimagebatch.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import io.github.geminiimagebatch.testing.JarInstances;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two instances of the packaged jar, as separate processes, on one work queue of a real (embedded) Artemis
 * broker and one shared outbox: a prompt file dropped into one instance's inbox is made by both, each image
 * once, and the batch gets one manifest and one report. A killed worker's items are redelivered; a poisoned
 * item ends in the dead-letter queue with its reason while its batch completes.
 */
class WorkQueueIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CONCURRENCY = 4;
    /**
     * Deliveries before a worker gives an item up (the default is 5); the broker dead-letters one delivery later.
     * The broker waits 0.5 s before a redelivery and doubles it: 3 deliveries wait 1.5 s, 5 waited 7.5 s.
     */
    private static final int MAX_DELIVERIES = 3;
    /** Items of the batch the instances share: enough for a kill to fall mid-batch (an instance makes some 20 a second). */
    private static final int ITEMS = 100;

    @TempDir
    Path tmp;
    JarInstances instances;
    Path outbox;
    Broker broker;
    GeminiSimulator simulator;
    String queue;

    @BeforeEach
    void start() throws Exception {
        instances = new JarInstances(tmp);
        outbox = tmp.resolve("outbox");
        broker = instances.broker(MAX_DELIVERIES + 1);
        simulator = instances.simulator(SimulatorOptions.builder().port(0).latency(150, 50).build());
        queue = "items-" + System.nanoTime();
    }

    @AfterEach
    void stop() throws Exception {
        instances.close();
    }

    @Test
    void twoInstancesShareOneBatchAndItFinishesOnce() throws Exception {
        Instant began = Instant.now();
        Process worker = launch("b", false);
        awaitLog("b", "Watching", worker);
        dropPrompts("a", "harbours", ITEMS);
        Process owner = launch("a", true);
        assertThat(owner.waitFor(120, TimeUnit.SECONDS)).as("the owner finishes; logs: " + logs()).isTrue();
        assertThat(owner.exitValue()).as("exit code; log: " + log("a")).isZero();

        Map<String, Long> byInstance = assertEveryItemMadeOnce("harbours", ITEMS, ITEMS);
        assertThat(byInstance.get("a")).as("items made by a").isGreaterThanOrEqualTo(ITEMS / 4);
        assertThat(byInstance.get("b")).as("items made by b").isGreaterThanOrEqualTo(ITEMS / 4);
        assertThat(worker.isAlive()).as("the worker keeps serving").isTrue();
        System.out.printf(Locale.ROOT, "two instances, %d items: %s, %d ms%n", ITEMS, byInstance,
                Duration.between(began, Instant.now()).toMillis());
    }

    @Test
    void aKilledWorkersItemsAreRedeliveredAndNothingIsLost() throws Exception {
        Process worker = launch("b", false);
        awaitLog("b", "Watching", worker);
        dropPrompts("a", "harbours", ITEMS);
        Process owner = launch("a", true);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (sidecarsBy("harbours", "b") < ITEMS * 15 / 100 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        worker.destroyForcibly();
        assertThat(worker.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long madeByWorker = sidecarsBy("harbours", "b");
        assertThat(madeByWorker).as("the worker was killed mid-run").isBetween(ITEMS * 15L / 100, ITEMS * 3L / 4);

        assertThat(owner.waitFor(120, TimeUnit.SECONDS)).as("the owner finishes; logs: " + logs()).isTrue();
        assertThat(owner.exitValue()).as("exit code; log: " + log("a")).isZero();
        Map<String, Long> byInstance = assertEveryItemMadeOnce("harbours", ITEMS, ITEMS + CONCURRENCY);
        long billed = simulator.stats().path("imagesBilled").asLong();
        System.out.printf(Locale.ROOT, "kill -9 of worker b after %d images: manifest %s, billed %d for %d items%n",
                madeByWorker, byInstance, billed, ITEMS);
    }

    @Test
    void aKilledOwnerRestartsAndFinishesItsBatchOnceWithTheResultsItHadCollected() throws Exception {
        awaitLog("b", "Watching", launch("b", false));
        dropPrompts("a", "harbours", ITEMS);
        Process owner = launch("a", true, "--set", "imagegen.work.consume=false");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (resultsRecorded() < ITEMS / 5 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        owner.destroyForcibly();
        assertThat(owner.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long recordedBeforeKill = resultsRecorded();
        assertThat(recordedBeforeKill).as("the owner was killed mid-batch; log: " + log("a")).isBetween(ITEMS / 5L, ITEMS - 1L);
        assertThat(tmp.resolve("inbox-a/harbours.txt")).as("the prompt file waits in the inbox").exists();
        Files.move(tmp.resolve("a.log"), tmp.resolve("a-killed.log"));

        Process restarted = launch("a", true, "--set", "imagegen.work.consume=false");
        assertThat(restarted.waitFor(120, TimeUnit.SECONDS)).as("the restarted owner finishes; logs: " + logs()).isTrue();
        assertThat(restarted.exitValue()).as("exit code; log: " + log("a")).isZero();

        // b makes every image; the owner restarted while b kept working, and re-sent only items it had no result for
        Map<String, Long> byInstance = assertEveryItemMadeOnce("harbours", ITEMS, ITEMS + CONCURRENCY);
        assertThat(log("a")).contains("continuing its run from before this instance stopped");
        assertThat(Files.readString(tmp.resolve("a-killed.log"))).doesNotContain("Batch harbours finished");
        assertThat(log("a").split("Batch harbours finished", -1)).as("the batch closed once").hasSize(2);
        // without the results recorded before the kill, those items would be asked for again and come back `skipped`
        JsonNode report = JSON.readTree(outbox.resolve("harbours/report.json").toFile());
        assertThat(report.path("totals").path("skipped").asLong()).as("results asked for again after the restart")
                .isLessThanOrEqualTo(CONCURRENCY);
        assertThat(byInstance.get("b")).isGreaterThanOrEqualTo((long) ITEMS - CONCURRENCY);
        try (Stream<Path> runs = Files.list(outbox.resolve(".state/" + ResultJournal.DIRECTORY))) {
            assertThat(runs.toList()).as("the completed run's record is gone").isEmpty();
        }
        System.out.printf(Locale.ROOT, "kill -9 of owner a after %d results: manifest %s, report skipped %d, billed %d;"
                + " restarted a said:%n%s%n", recordedBeforeKill, byInstance, report.path("totals").path("skipped").asLong(),
                simulator.stats().path("imagesBilled").asLong(), log("a").lines()
                        .filter(l -> l.contains("Batch harbours")).collect(java.util.stream.Collectors.joining("\n")));
    }

    @Test
    void aPoisonedItemEndsInTheDeadLetterQueueAndItsBatchCompletes() throws Exception {
        dropPrompts("a", "buoys", 10);
        Process owner = launch("a", true, "--set", "imagegen.work.consume=false");
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker.url());
        try (Connection connection = factory.createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            // the message of item 0004 is damaged on its way: what a worker gets is not JSON
            try (MessageConsumer take = session.createConsumer(session.createQueue(queue), "GeminiImageItemId = '0004'")) {
                TextMessage original = (TextMessage) take.receive(30_000);
                assertThat(original).as("item 0004 on the work queue; log: " + log("a")).isNotNull();
                TextMessage damaged = session.createTextMessage(original.getText().substring(0, 40));
                for (String header : List.of("GeminiImageBatch", "GeminiImageItemId", "GeminiImageOwner", "GeminiImageRun")) {
                    damaged.setStringProperty(header, original.getStringProperty(header));
                }
                try (MessageProducer put = session.createProducer(session.createQueue(queue))) {
                    put.send(damaged);
                }
            }
            launch("b", false);
            assertThat(owner.waitFor(120, TimeUnit.SECONDS)).as("the owner finishes; logs: " + logs()).isTrue();
            assertThat(owner.exitValue()).as("exit code 2: an item failed; log: " + log("a")).isEqualTo(2);

            try (MessageConsumer dead = session.createConsumer(session.createQueue(Broker.DEAD_LETTER_QUEUE))) {
                Message letter = dead.receive(10_000);
                assertThat(letter).as("the poisoned item in the dead-letter queue").isNotNull();
                assertThat(letter.getStringProperty("GeminiImageItemId")).isEqualTo("0004");
                assertThat(letter.getStringProperty("GeminiImageFailure")).contains("given up after " + MAX_DELIVERIES + " deliveries")
                        .contains("not JSON");
                assertThat(dead.receive(500)).as("only the poisoned item is dead").isNull();
            }
        }
        List<JsonNode> manifest = manifest("buoys");
        assertThat(manifest).hasSize(10);
        JsonNode poisoned = manifest.stream().filter(l -> l.path("id").asText().equals("0004")).findFirst().orElseThrow();
        assertThat(poisoned.path("status").asText()).isEqualTo("failed");
        assertThat(poisoned.path("reason").asText()).isEqualTo("dead_letter");
        assertThat(poisoned.path("message").asText()).contains("not JSON");
        assertThat(manifest).filteredOn(l -> !l.path("id").asText().equals("0004"))
                .allSatisfy(l -> assertThat(l.path("status").asText()).isEqualTo("ok"));
        JsonNode report = JSON.readTree(outbox.resolve("buoys/report.json").toFile());
        assertThat(report.path("totals").path("failed").asInt()).isEqualTo(1);
        assertThat(report.path("totals").path("ok").asInt()).isEqualTo(9);
        assertThat(Files.readString(outbox.resolve("buoys/failed.jsonl"))).contains("\"id\":\"0004\"");
        assertThat(tmp.resolve("inbox-a/.done/buoys.txt")).exists();
    }

    @Test
    void promptsFromAnotherEndpointBecomeBatchesLikeDroppedFiles() throws Exception {
        String intake = "prompts-" + System.nanoTime();
        Process service = launch("a", false, "--set", "imagegen.work.uri=", "--set", "imagegen.intake.uri=jms:queue:" + intake,
                "--set", "imagegen.intake.batchIdle=1s");
        awaitLog("a", "Watching", service);
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker.url());
        try (Connection connection = factory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            try (MessageProducer put = session.createProducer(session.createQueue(intake))) {
                put.send(session.createTextMessage("{\"batch\":\"kites\",\"id\":\"red\",\"prompt\":\"a red kite\"}"));
                put.send(session.createTextMessage("{\"batch\":\"kites\",\"id\":\"blue\",\"prompt\":\"a blue kite\"}"));
                TextMessage byHeader = session.createTextMessage("{\"id\":\"green\",\"prompt\":\"a green kite\"}");
                byHeader.setStringProperty("GeminiImageBatch", "kites");
                put.send(byHeader);
                TextMessage file = session.createTextMessage("a paper boat\na wooden boat\n");
                file.setStringProperty("CamelFileName", "boats.txt");
                put.send(file);
            }
        }
        Path inboxA = tmp.resolve("inbox-a");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(inboxA.resolve(".done/kites.jsonl")) && Files.exists(inboxA.resolve(".done/boats.txt")))) {
            assertThat(System.nanoTime()).as("both batches done; log: " + log("a")).isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(manifest("kites")).extracting(l -> l.path("id").asText() + "=" + l.path("status").asText())
                .containsExactlyInAnyOrder("red=ok", "blue=ok", "green=ok");
        assertThat(manifest("boats")).extracting(l -> l.path("status").asText()).containsExactly("ok", "ok");
        assertThat(simulator.stats().path("billedByPrompt").path("a green kite").asInt()).isEqualTo(1);
        assertThat(service.isAlive()).isTrue();
    }

    /** Returns the number of manifest lines per instance. */
    private Map<String, Long> assertEveryItemMadeOnce(String batch, int items, long maxBilled) throws IOException {
        List<JsonNode> manifest = manifest(batch);
        assertThat(manifest).as("one manifest line per item").hasSize(items);
        assertThat(manifest).allSatisfy(l -> assertThat(l.path("status").asText()).isIn("ok", "skipped"));
        JsonNode stats = simulator.stats();
        Map<String, Integer> billedByPrompt = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = stats.path("billedByPrompt").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            billedByPrompt.put(e.getKey(), e.getValue().asInt());
        }
        assertThat(billedByPrompt).as("every prompt billed").hasSize(items);
        assertThat(stats.path("imagesBilled").asLong()).isBetween((long) items, maxBilled);
        if (maxBilled == items) {
            assertThat(billedByPrompt.values()).as("each image made exactly once").allMatch(n -> n == 1);
        }
        assertThat(outbox.resolve(batch + "/report.json")).exists();
        JsonNode report = JSON.readTree(outbox.resolve(batch + "/report.json").toFile());
        assertThat(report.path("totals").path("ok").asLong() + report.path("totals").path("skipped").asLong())
                .isEqualTo(items);
        try (Stream<Path> folders = Files.list(outbox)) {
            assertThat(folders.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList())
                    .as("one batch folder, one manifest, one report").containsExactly(batch);
        }
        try (Stream<Path> images = Files.list(outbox.resolve(batch))) {
            assertThat(images.filter(p -> p.toString().endsWith(".png")).count()).isEqualTo(items);
        }
        assertThat(tmp.resolve("inbox-a/.done/" + batch + ".txt")).exists();
        assertThat(tmp.resolve("inbox-a/" + batch + ".txt")).doesNotExist();
        Map<String, Long> byInstance = new TreeMap<>();
        manifest.stream().filter(l -> l.path("status").asText().equals("ok"))
                .forEach(l -> byInstance.merge(l.path("instance").asText(), 1L, Long::sum));
        return byInstance;
    }

    private long sidecarsBy(String batch, String instance) throws IOException {
        Path dir = outbox.resolve(batch);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long n = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().matches("\\d+\\.json")).toList()) {
                try {
                    if (JSON.readTree(p.toFile()).path("instance").asText().equals(instance)) {
                        n++;
                    }
                } catch (IOException ignored) {
                    // renamed into place complete, but may vanish between list and read: count it next time
                }
            }
        }
        return n;
    }

    /** Results the owner has recorded for its open batch runs (the journal's lines after each run's first). */
    private long resultsRecorded() throws IOException {
        Path dir = outbox.resolve(".state/" + ResultJournal.DIRECTORY);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long n = 0;
        try (Stream<Path> runs = Files.list(dir)) {
            for (Path run : runs.toList()) {
                n += Math.max(0, Files.readAllLines(run).stream().filter(l -> l.endsWith("}")).count() - 1);
            }
        }
        return n;
    }

    private List<JsonNode> manifest(String batch) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(outbox.resolve(batch + "/manifest.jsonl"))) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    private void dropPrompts(String instance, String batch, int items) throws IOException {
        Path inbox = Files.createDirectories(tmp.resolve("inbox-" + instance));
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= items; i++) {
            text.append("harbour ").append(batch).append(" number ").append(i).append(" at first light\n");
        }
        Path staged = Files.writeString(tmp.resolve(batch + ".staging"), text, StandardCharsets.UTF_8);
        Files.setLastModifiedTime(staged, FileTime.from(Instant.now().minusSeconds(10)));
        Files.move(staged, inbox.resolve(batch + ".txt"), StandardCopyOption.ATOMIC_MOVE);
    }

    private Process launch(String instance, boolean once, String... extra) throws IOException {
        Path inbox = Files.createDirectories(tmp.resolve("inbox-" + instance));
        List<String> args = new ArrayList<>(List.of(
                "--inbox", inbox.toString(), "--outbox", outbox.toString(), "--provider", "simulator",
                "--set", "imagegen.provider.simulator.baseUrl=" + simulator.baseUri(),
                "--set", "imagegen.instance=" + instance,
                "--set", "imagegen.work.uri=jms:queue:" + queue,
                "--set", "imagegen.jms.url=" + broker.url(),
                "--set", "imagegen.concurrency=" + CONCURRENCY,
                "--set", "imagegen.provider.simulator.maxConcurrency=" + CONCURRENCY,
                "--set", "imagegen.inbox.stableMillis=100",
                "--set", "imagegen.inbox.pollDelayMillis=100",
                "--set", "imagegen.progress.interval=1h",
                "--set", "imagegen.work.maxDeliveries=" + MAX_DELIVERIES,
                "--set", "camel.management.enabled=false"));
        if (once) {
            args.add("--once");
        }
        args.addAll(List.of(extra));
        return instances.launch(instance, args);
    }

    private void awaitLog(String instance, String text, Process process) throws Exception {
        instances.awaitLog(instance, text, process, Duration.ofSeconds(60));
    }

    private String logs() throws IOException {
        return instances.tails("a", "b");
    }

    private String log(String instance) throws IOException {
        return instances.log(instance);
    }
}
