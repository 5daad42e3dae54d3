package io.github.geminiimagebatch.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the reader over every file of the hostile corpus (issue #8) and checks exactly the outcome that
 * corpus/expected.tsv states, plus the invariants every batch must keep whatever its input.
 */
class PromptCorpusTest {

    /** Folders of the corpus that hold reference images, not prompt files. */
    private static final Set<String> SUPPORT_FOLDERS = Set.of("images");

    record Expectation(String file, String outcome, int validItems, int badItems, String messageFragment) {

        @Override
        public String toString() {
            return file + " -> " + outcome;
        }
    }

    private static Path workDir;
    private static Path inbox;

    @BeforeAll
    static void buildInbox() throws IOException, URISyntaxException {
        workDir = Files.createTempDirectory("prompt-corpus");
        inbox = Files.createDirectory(workDir.resolve("inbox"));
        Path outside = Files.createDirectory(workDir.resolve("outside"));
        Path corpus = committedCorpus();
        try (Stream<Path> files = Files.walk(corpus)) {
            for (Path source : files.toList()) {
                Path target = inbox.resolve(corpus.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        GeneratedCorpus.writeInto(inbox, outside);
    }

    @AfterAll
    static void removeInbox() throws IOException {
        try (Stream<Path> files = Files.walk(workDir)) {
            for (Path path : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    static List<Expectation> expectations() throws IOException, URISyntaxException {
        List<String> lines = Files.readAllLines(committedCorpus().resolve("expected.tsv"), StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo("file\toutcome\tvalidItems\tbadItems\tmessageFragment");
        return lines.stream().skip(1).filter(line -> !line.isBlank()).map(line -> {
            String[] columns = line.split("\t", -1);
            assertThat(columns).as(line).hasSize(5);
            return new Expectation(columns[0], columns[1], Integer.parseInt(columns[2]), Integer.parseInt(columns[3]),
                    columns[4]);
        }).toList();
    }

    private static Path committedCorpus() throws URISyntaxException {
        return Path.of(PromptCorpusTest.class.getResource("/corpus/expected.tsv").toURI()).getParent();
    }

    @Test
    void everyCorpusFileHasExactlyOneExpectation() throws Exception {
        Set<String> expected = new HashSet<>();
        expectations().forEach(row -> assertThat(expected.add(row.file())).as("listed twice: " + row.file()).isTrue());
        Set<String> present;
        try (Stream<Path> entries = Files.list(inbox)) {
            present = entries.map(path -> path.getFileName().toString())
                    .filter(name -> !SUPPORT_FOLDERS.contains(name)).collect(Collectors.toSet());
        }
        assertThat(present).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(expected).hasSizeGreaterThanOrEqualTo(40);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expectations")
    void readerProducesTheExpectedOutcome(Expectation row) throws IOException {
        Path file = inbox.resolve(row.file());
        if (row.outcome().equals("ignored")) {
            assertThat(PromptFileReader.isPromptFile(file)).as("%s must not be read as a batch", row.file()).isFalse();
            return;
        }
        assertThat(PromptFileReader.isPromptFile(file)).as("%s is a prompt file", row.file()).isTrue();
        PromptFileReader reader = new PromptFileReader(PromptLimits.defaults());
        PromptBatch batch;
        try {
            batch = reader.read(file, inbox);
        } catch (BatchRejectedException e) {
            assertThat(row.outcome()).as("%s was rejected: %s", row.file(), e.getMessage()).isEqualTo("rejected");
            assertThat(e.getMessage()).contains(row.messageFragment());
            assertIsOneUserSentence(e.getMessage(), row.file());
            return;
        }
        assertThat(row.outcome()).as("%s was read as a batch", row.file()).isEqualTo("batch");
        List<String> problems = batch.invalidItems().stream().map(PromptItem::problem).toList();
        assertThat(batch.validItems()).as("valid items of %s (problems: %s)", row.file(), problems).hasSize(row.validItems());
        assertThat(problems).as("item problems of %s", row.file()).hasSize(row.badItems());
        if (row.badItems() > 0) {
            assertThat(problems).anySatisfy(problem -> assertThat(problem).contains(row.messageFragment()));
        } else {
            assertThat(row.messageFragment()).isEqualTo("-");
        }
        assertBatchInvariants(batch);
    }

    /** Whatever the input, a batch is safe to write to an outbox and every bad item is explained. */
    private static void assertBatchInvariants(PromptBatch batch) {
        assertThat(batch.name()).matches("[A-Za-z0-9._-]{1,100}").doesNotStartWith(".");
        assertThat(SafeNames.isWindowsDeviceName(batch.name())).isFalse();
        assertThat(batch.items()).isNotEmpty().allSatisfy(item -> {
            assertThat(SafeNames.isValidItemId(item.id())).as(item.id()).isTrue();
            assertThat(item.line()).isPositive();
            assertThat(item.referenceImages()).allSatisfy(image -> assertThat(image).startsWith(inboxReal()));
            if (item.valid()) {
                assertThat(item.prompt()).isNotBlank().isEqualTo(item.prompt().strip());
                assertThat(item.prompt().codePoints()).noneMatch(UserText::isForbiddenControl);
            } else {
                assertThat(item.problem()).matches("(line|item) \\d+.*: .+").doesNotContain("\n");
                assertThat(item.referenceImages()).isEmpty();
            }
        });
        Set<String> ids = new HashSet<>();
        batch.items().forEach(item ->
                assertThat(ids.add(item.id().toLowerCase(Locale.ROOT))).as("unique id " + item.id()).isTrue());
    }

    private static void assertIsOneUserSentence(String message, String file) {
        assertThat(message).doesNotContain("\n").doesNotContain("Exception").doesNotContain("[Source");
        if (!message.startsWith("'")) {
            fail("message should start with the quoted file name: " + message);
        }
        assertThat(message).as("names the file").contains(file.length() > 50 ? file.substring(0, 50) : file);
    }

    private static Path inboxReal() {
        try {
            return inbox.toRealPath();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
