package io.github.geminiimagebatch.hostile;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.prompt.SafeNames;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Prompt file names and item ids become folders and files in the outbox: whatever they are, the
 * result stays inside the outbox, is portable, and two different names never share an output.
 */
class OutputNamingTest {

    private static final Path OUTBOX = Path.of("/outbox").toAbsolutePath();
    private static final Set<String> DEVICES = Set.of("con", "prn", "aux", "nul", "com0", "com1", "com2", "com3", "com4",
            "com5", "com6", "com7", "com8", "com9", "lpt0", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9");

    @TempDir
    Path root;

    @Test
    void hostileFileNamesBecomeSafeDistinctBatchNames() {
        List<String> names = new ArrayList<>(List.of("..txt", "...txt", ".txt", "-.txt", "..\\..\\x.txt", "a b.txt", "a_b.txt",
                "a  b.txt", "a__b.txt", "CON.txt", "con.txt", "CON.x.txt", "nul.jsonl", "Com1.csv", "LPT9.json",
                "Über Katzen.txt", "Uber Katzen.txt", "Uber_Katzen.txt", "日本語.txt", "中文.txt", "🐱.txt", "🐶.txt",
                "a\u0000b.txt", "a\nb.txt", "a:b.txt", "a*b?.txt", "x-abcdef.txt", "x.txt", "trailing..txt",
                "%2e%2e.txt", "~$sheet.txt", "name.with.dots.txt", "x".repeat(300) + ".txt", "x".repeat(300) + "y.txt"));
        Random random = new Random(8);
        String alphabet = "aA._- é/\\:🐱\u0000";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder name = new StringBuilder();
            int length = 1 + random.nextInt(6);
            for (int c = 0; c < length; c++) {
                name.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0, random.nextInt(alphabet.codePointCount(0, alphabet.length())))));
            }
            names.add(name + ".txt");
        }
        Map<String, String> baseByBatch = new HashMap<>();
        for (String fileName : names) {
            String batch = SafeNames.batchName(fileName);
            assertSafeFileStem(batch, fileName);
            assertThat(batch).as("a folder name Windows would trim, from '%s'", fileName).doesNotEndWith(".");
            assertThat(batch.length()).as(fileName).isLessThanOrEqualTo(SafeNames.MAX_BATCH_NAME_LENGTH);
            String base = fileName.substring(0, fileName.lastIndexOf('.'));
            // Exact: names that differ only in case (Cats / cats) are told apart by BatchFolders on disks that fold case.
            String earlier = baseByBatch.putIfAbsent(batch, base);
            assertThat(earlier == null || earlier.equals(base))
                    .as("'%s' and '%s' share the batch name %s", earlier, base, batch).isTrue();
        }
        assertThat(SafeNames.batchName("a b.txt")).isNotEqualTo(SafeNames.batchName("a_b.txt"));
        assertThat(SafeNames.batchName("a_b.txt")).isEqualTo("a_b");
    }

    @Test
    void acceptedItemIdsAreSafeFileStemsAndHostileOnesAreRefused() {
        for (String id : List.of("..", ".", "../x", "a/b", "a\\b", "", "x".repeat(101), "a b", "é", ".hidden", "CON", "con.png",
                "Nul", "COM1", "lpt9.txt", "report", "MANIFEST", "failed", "a:b", "a\u0000", "🐱")) {
            assertThat(SafeNames.isValidItemId(id)).as("'%s' is refused", id).isFalse();
        }
        Random random = new Random(9);
        String alphabet = "aZ09._-";
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder id = new StringBuilder();
            for (int c = 0, n = 1 + random.nextInt(5); c < n; c++) {
                id.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            if (SafeNames.isValidItemId(id.toString())) {
                accepted++;
                assertSafeFileStem(id.toString(), id.toString());
                // image and sidecar of one id never meet the files of another id or of the batch
                assertThat(Set.of("manifest.jsonl", "report.json", "failed.jsonl")).doesNotContain(id + ".json");
            }
        }
        assertThat(accepted).isGreaterThan(10_000);
    }

    /** Three files whose safe names meet (same base name, or only case apart) each get their own folder; dropped again, the same one. */
    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void filesSharingABatchNameGetTheirOwnFolders() throws Exception {
        Path inbox = Files.createDirectories(root.resolve("inbox"));
        Path outbox = root.resolve("outbox");
        Files.writeString(inbox.resolve("cats.txt"), "a cat from the text file\n");
        Files.writeString(inbox.resolve("cats.csv"), "prompt\na cat from the csv file\n");
        Files.writeString(inbox.resolve("Cats.txt"), "a cat from the capitalised file\n");
        try (GeminiSimulator sim = GeminiSimulator.start(SimulatorOptions.builder().port(0).build())) {
            String[] args = {"--once", "--inbox", inbox.toString(), "--outbox", outbox.toString(), "--provider", "simulator",
                    "--set", "imagegen.provider.simulator.baseUrl=" + sim.baseUri(),
                    "--set", "imagegen.inbox.stableMillis=50", "--set", "imagegen.inbox.pollDelayMillis=50"};
            assertThat(CapturedRun.execute(args).exitCode()).isZero();

            Map<String, String> promptBySource = new HashMap<>();
            ObjectMapper json = new ObjectMapper();
            try (Stream<Path> batches = Files.list(outbox)) {
                for (Path batch : batches.filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
                    String source = json.readTree(batch.resolve("report.json").toFile()).path("source").asText();
                    assertThat(Files.readString(batch.resolve(".source"))).isEqualTo(source);
                    String sidecar = batch.resolve("0001.json").toFile().exists() ? "0001.json" : "0002.json";
                    promptBySource.put(source, json.readTree(batch.resolve(sidecar).toFile()).path("prompt").asText());
                }
            }
            assertThat(promptBySource).containsOnly(
                    Map.entry("cats.txt", "a cat from the text file"),
                    Map.entry("cats.csv", "a cat from the csv file"),
                    Map.entry("Cats.txt", "a cat from the capitalised file"));

            Files.writeString(inbox.resolve("cats.csv"), "prompt\na cat from the csv file\n");
            assertThat(CapturedRun.execute(args).exitCode()).isZero();
            try (Stream<Path> batches = Files.list(outbox)) {
                assertThat(batches.filter(p -> !p.getFileName().toString().startsWith("."))).as("no new folder").hasSize(3);
            }
            assertThat(sim.stats().path("requests").asInt()).as("the dropped-again file costs nothing").isEqualTo(3);
        }
    }

    private static void assertSafeFileStem(String name, String from) {
        // Item ids may end with '.': their files always get an extension after it (a..png).
        assertThat(name).as("from '%s'", from).matches("[A-Za-z0-9._-]+").doesNotStartWith(".");
        assertThat(name).as("from '%s'", from).isNotEqualTo("..");
        String stem = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
        assertThat(DEVICES).as("from '%s'", from).doesNotContain(stem.toLowerCase(Locale.ROOT));
        Path resolved = OUTBOX.resolve(name).normalize();
        assertThat(resolved.getParent()).as("from '%s'", from).isEqualTo(OUTBOX);
    }
}
