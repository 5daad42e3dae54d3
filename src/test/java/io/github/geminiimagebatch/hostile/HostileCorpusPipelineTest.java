package io.github.geminiimagebatch.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;


/**
 * The whole hostile corpus dropped into one inbox at once and run through the real application
 * (Camel Main, routes/*.yaml) against the simulator over HTTP: the run ends normally with exit code 2,
 * every valid item gets its image, every bad item its manifest line, every unreadable file goes to
 * .failed/ with a reason, everything else stays untouched, and nothing is written anywhere else.
 */
class HostileCorpusPipelineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Generous for a loaded 2-core machine; the run takes well under half of it when the machine is quiet. */
    private static final long MAX_RUN_MILLIS = 90_000;

    @TempDir
    Path root;

    @Test
    @Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void wholeCorpusAtOnce() throws Exception {
        Path inbox = root.resolve("inbox");
        Path outbox = root.resolve("outbox");
        Path outside = root.resolve("outside");
        Corpus.install(inbox, outside);
        Map<String, String> before = TreeSnapshot.of(root);
        Map<String, String> outsideBefore = TreeSnapshot.of(outside);

        CapturedRun run;
        try (GeminiSimulator sim = GeminiSimulator.start(SimulatorOptions.builder().port(0).build())) {
            run = CapturedRun.execute("--once", "--inbox", inbox.toString(), "--outbox", outbox.toString(),
                    "--provider", "simulator",
                    "--set", "imagegen.provider.simulator.baseUrl=" + sim.baseUri(),
                    "--set", "imagegen.provider.simulator.maxConcurrency=16",
                    "--set", "imagegen.concurrency=16",
                    "--set", "imagegen.limits.maxItemsPerFile=19999",
                    "--set", "imagegen.inbox.stableMillis=100",
                    "--set", "imagegen.inbox.pollDelayMillis=100",
                    "--set", "imagegen.progress.interval=1h");
        }
        System.out.println("corpus run took " + run.millis() + " ms");

        assertThat(run.exitCode()).as("exit code (2 = some items failed; 1 would be a crash)").isEqualTo(2);
        assertThat(run.millis()).isLessThan(MAX_RUN_MILLIS);
        assertThat(run.output()).doesNotContain("Internal error", "unexpected error", "Exception");

        Map<String, Path> batchBySource = batchFolders(outbox);
        Map<String, String> after = TreeSnapshot.of(root);
        SoftAssertions soft = new SoftAssertions();
        {
            for (Corpus.Row corpusRow : Corpus.rows()) {
                // link-inside.txt offered in the same poll as its target, before that moved, is read like any file
                boolean readLikeAnyFile = corpusRow.file().equals(LINK_INSIDE) && batchBySource.containsKey(LINK_INSIDE);
                Corpus.Row row = readLikeAnyFile ? corpusRow : PIPELINE_OUTCOME.getOrDefault(corpusRow.file(), corpusRow);
                String outcome = row.outcome();
                Path original = inbox.resolve(row.file());
                switch (outcome) {
                    case "batch" -> {
                        Path batch = batchBySource.get(row.file());
                        soft.assertThat(batch).as("batch folder of " + row.file()).isNotNull();
                        if (batch == null) {
                            continue;
                        }
                        List<JsonNode> manifest = manifest(batch);
                        long made = manifest.stream().filter(l -> l.path("status").asText().matches("ok|skipped")).count();
                        soft.assertThat(made).as("ok + skipped items of " + row.file()).isEqualTo(row.validItems());
                        for (JsonNode line : manifest) {
                            if (line.has("image")) {
                                soft.assertThat(outbox.resolve(line.path("image").asText())).as("image of " + row.file()).isRegularFile();
                            }
                        }
                        List<JsonNode> bad = manifest.stream().filter(l -> l.path("status").asText().equals("failed")).toList();
                        soft.assertThat(bad).as("failed items of " + row.file()).hasSize(row.badItems());
                        soft.assertThat(bad).as("bad items of " + row.file() + " fail as invalid_input")
                                .allSatisfy(l -> assertThat(l.path("reason").asText()).isEqualTo("invalid_input"));
                        if (row.badItems() > 0) {
                            soft.assertThat(bad).as("a message of " + row.file())
                                    .anySatisfy(l -> assertThat(l.path("message").asText()).contains(row.fragment()));
                        }
                        // not followed: link-inside.txt, read like any file, dangles in .done/ once its target moved there too
                        soft.assertThat(Files.exists(inbox.resolve(".done").resolve(row.file()), java.nio.file.LinkOption.NOFOLLOW_LINKS))
                                .as("done " + row.file()).isTrue();
                    }
                    case "rejected" -> {
                        Path moved = inbox.resolve(".failed").resolve(row.file());
                        Path note = inbox.resolve(".failed").resolve(row.file() + ".error.txt");
                        soft.assertThat(Files.exists(moved, java.nio.file.LinkOption.NOFOLLOW_LINKS)).as("moved " + row.file()).isTrue();
                        soft.assertThat(note).as("error note of " + row.file()).exists();
                        if (Files.exists(note)) {
                            soft.assertThat(Files.readString(note)).as("error note of " + row.file()).contains(row.fragment());
                        }
                        soft.assertThat(batchBySource).as("no batch for " + row.file()).doesNotContainKey(row.file());
                    }
                    case "ignored" -> {
                        soft.assertThat(before.get("inbox/" + row.file())).as("ignored " + row.file() + " untouched")
                                .isEqualTo(after.get("inbox/" + row.file()));
                        soft.assertThat(batchBySource).as("no batch for " + row.file()).doesNotContainKey(row.file());
                        // Camel never offers hidden files, folders and dangling links: nothing to log for them.
                        boolean offered = !row.file().startsWith(".") && !PIPELINE_OUTCOME.containsKey(row.file());
                        soft.assertThat(count(run.output(), "Ignoring " + row.file() + ":"))
                                .as("log lines about ignored " + row.file()).isEqualTo(offered ? 1 : 0);
                    }
                    default -> soft.fail("unknown outcome " + outcome);
                }
                if (!outcome.equals("ignored")) {
                    soft.assertThat(Files.exists(original, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                            .as(row.file() + " left the inbox").isFalse();
                }
            }
        }
        soft.assertAll();

        assertThat(TreeSnapshot.of(outside)).as("the folder outside the inbox").isEqualTo(outsideBefore);
        List<String> unexpected = new ArrayList<>();
        after.forEach((path, what) -> {
            boolean allowed = path.equals("outbox") || path.startsWith("outbox/")
                    || path.startsWith("inbox/.done") || path.startsWith("inbox/.failed");
            if (!allowed && !what.equals(before.get(path))) {
                unexpected.add(path + " (" + what + ")");
            }
        });
        assertThat(unexpected).as("paths created or changed outside outbox/ and inbox/.done|.failed").isEmpty();
    }

    /**
     * Where this run differs from reading each file alone (PromptCorpusTest), and why:
     * <ul>
     * <li>maxItemsPerFile is 19,999 here, so the 20,000-line file is refused instead of making 20,000
     * images (about 50 s on the simulator, measured; PromptCorpusTest reads it, the limit test below
     * covers the refusal) and the 100,001-line file is refused by the same limit;</li>
     * <li>Camel's file consumer hands over regular files only: a folder named like a prompt file and a
     * link to a missing file are never offered, so they stay in the inbox untouched;</li>
     * <li>link-inside.txt points at bom-crlf.txt, which is worked first (name order) and moved to
     * .done/, so the link usually dangles by its turn and stays like dangling-link.txt; when one poll
     * offers both before bom-crlf.txt has moved, the link is read as the batch it is on its own
     * (PromptCorpusTest's row). Either is right; anything else fails.</li>
     * </ul>
     */
    private static final String LINK_INSIDE = "link-inside.txt";

    private static final Map<String, Corpus.Row> PIPELINE_OUTCOME = Map.of(
            "twenty-thousand-lines.txt", new Corpus.Row("twenty-thousand-lines.txt", "rejected", 0, 0, "has more than 19,999 prompts"),
            "too-many-items.txt", new Corpus.Row("too-many-items.txt", "rejected", 0, 0, "has more than 19,999 prompts"),
            "folder.txt", new Corpus.Row("folder.txt", "ignored", 0, 0, "-"),
            "dangling-link.txt", new Corpus.Row("dangling-link.txt", "ignored", 0, 0, "-"),
            "link-inside.txt", new Corpus.Row("link-inside.txt", "ignored", 0, 0, "-"));

    /** The batch folder of every source file, from the "source" field of each report.json. */
    private static Map<String, Path> batchFolders(Path outbox) throws IOException {
        Map<String, Path> bySource = new HashMap<>();
        try (Stream<Path> dirs = Files.list(outbox)) {
            for (Path dir : dirs.toList()) {
                Path report = dir.resolve("report.json");
                if (Files.isRegularFile(report)) {
                    String source = JSON.readTree(report.toFile()).path("source").asText();
                    Path earlier = bySource.put(source, dir);
                    assertThat(earlier).as("two batch folders for " + source).isNull();
                }
            }
        }
        return bySource;
    }

    private static List<JsonNode> manifest(Path batch) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(batch.resolve("manifest.jsonl"))) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    private static int count(String text, String needle) {
        return (int) Pattern.compile(Pattern.quote(needle)).matcher(text).results().count();
    }
}
