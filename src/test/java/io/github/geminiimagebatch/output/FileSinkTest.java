package io.github.geminiimagebatch.output;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the key index promises: an entry means this request's complete image and sidecar are in place. */
class FileSinkTest {

    private static final String KEY_A = "a".repeat(64);
    private static final String KEY_B = "b".repeat(64);

    @TempDir
    Path outbox;

    @Test
    void aStoredItemIsFoundByItsKeyAndOnlyFinalFilesAreInTheBatchFolder() throws IOException {
        Outputs outputs = outputs();

        store(outputs, "cats", "0001", KEY_A, "png");

        assertThat(outputs.completedImage(KEY_A)).contains("cats/0001.png");
        assertThat(outputs.completedImage(KEY_B)).isEmpty();
        assertThat(names(outbox.resolve("cats"))).containsExactly("0001.json", "0001.png");
        assertThat(names(outputs.workDir())).as("temporaries are renamed away or deleted").isEmpty();
        assertThat(outbox.resolve(KeyIndex.entryName(KEY_A))).isRegularFile();
    }

    @Test
    void anImageOverwrittenByAnotherRequestNoLongerCountsForTheFirst() throws IOException {
        Outputs outputs = outputs();
        store(outputs, "cats", "0001", KEY_A, "png");

        // the same item id made again for a different request (prompt edited, other image size)
        store(outputs, "cats", "0001", KEY_B, "png");

        assertThat(outputs.completedImage(KEY_B)).contains("cats/0001.png");
        assertThat(outputs.completedImage(KEY_A)).as("the file at cats/0001.png is B's image now").isEmpty();
    }

    @Test
    void missingImageMissingSidecarOrBrokenEntryMeanNotDone() throws IOException {
        Outputs outputs = outputs();
        store(outputs, "cats", "0001", KEY_A, "png");
        store(outputs, "cats", "0002", KEY_B, "png");
        String keyC = "c".repeat(64);
        store(outputs, "cats", "0003", keyC, "png");

        Files.delete(outbox.resolve("cats/0001.png"));
        Files.delete(outbox.resolve("cats/0002.json"));
        Files.writeString(outbox.resolve(KeyIndex.entryName(keyC)), "{\"image\":", StandardCharsets.UTF_8);

        assertThat(outputs.completedImage(KEY_A)).isEmpty();
        assertThat(outputs.completedImage(KEY_B)).isEmpty();
        assertThat(outputs.completedImage(keyC)).isEmpty();
    }

    @Test
    void idsWithDotsFindTheirSidecar() throws IOException {
        Outputs outputs = outputs();
        store(outputs, "cats", "v1.2", KEY_A, "webp");
        assertThat(outputs.completedImage(KEY_A)).contains("cats/v1.2.webp");
    }

    @Test
    void aFolderInTheImagesPlaceFailsTheStoreAndRecordsNoKey() throws IOException {
        Outputs outputs = outputs();
        Path blocker = Files.createDirectories(outbox.resolve("cats/0001.png"));
        Files.writeString(blocker.resolve("x"), "in the way");

        assertThatThrownBy(() -> store(outputs, "cats", "0001", KEY_A, "png")).isInstanceOf(IOException.class);

        assertThat(outputs.completedImage(KEY_A)).isEmpty();
        assertThat(outbox.resolve(KeyIndex.entryName(KEY_A))).doesNotExist();
        assertThat(names(outputs.workDir())).as("the decoded image is deleted, not left in .tmp").isEmpty();
    }

    @Test
    void anImageThatCannotBeStoredIsKeptAndLaterStoredFromThereAsTheItemOfThatRun() throws Exception {
        Outputs outputs = outputs();
        Path blocker = Files.createDirectories(outbox.resolve("cats/0001.png"));
        Files.writeString(blocker.resolve("x"), "in the way");

        assertThatThrownBy(() -> store(outputs, "cats", "0001", KEY_A, "png")).isInstanceOf(AnswerKeptException.class)
                .hasMessageContaining("0001.png");

        KeptAnswers.Kept kept = outputs.keptAnswer(KEY_A).orElseThrow();
        assertThat(kept.extension()).isEqualTo("png");
        assertThat(Files.readString(kept.image())).isEqualTo("image bytes for " + KEY_A);
        assertThat(names(outbox.resolve(KeptAnswers.DIRECTORY))).containsExactly(KEY_A + ".json", KEY_A + ".png");
        assertThat(outputs.keptAnswer(KEY_B)).isEmpty();

        Files.delete(blocker.resolve("x"));
        Files.delete(blocker);
        outputs.prepareBatch("dogs");
        assertThat(outputs.storeKept("dogs", "0007", KEY_A, kept)).isEqualTo("dogs/0007.png");

        assertThat(outputs.completedImage(KEY_A)).contains("dogs/0007.png");
        assertThat(Files.readString(outbox.resolve("dogs/0007.png"))).isEqualTo("image bytes for " + KEY_A);
        assertThat(Files.readString(outbox.resolve("dogs/0007.json"))).contains("\"id\" : \"0007\"", "\"batch\" : \"dogs\"");
        assertThat(outputs.keptAnswer(KEY_A)).isEmpty();
        assertThat(names(outbox.resolve(KeptAnswers.DIRECTORY))).isEmpty();
        assertThat(names(outputs.workDir())).isEmpty();
    }

    @Test
    void whenTheAnswerCannotBeKeptEitherTheStoreFailsAsBeforeAndNothingIsKept() throws IOException {
        Outputs outputs = outputs();
        Files.writeString(Files.createDirectories(outbox.resolve("cats/0001.png")).resolve("x"), "in the way");
        Files.writeString(outbox.resolve(".state"), "a file where the state folder should be");

        assertThatThrownBy(() -> store(outputs, "cats", "0001", KEY_A, "png")).isInstanceOf(IOException.class)
                .isNotInstanceOf(AnswerKeptException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).isNotEmpty());

        assertThat(outputs.keptAnswer(KEY_A)).isEmpty();
        assertThat(names(outputs.workDir())).as("the decoded image is deleted, not left in .tmp").isEmpty();
    }

    @Test
    void keepingAnotherAnswerForTheSameKeyReplacesTheFirst() throws IOException {
        KeptAnswers kept = new KeptAnswers(outbox);
        Path png = Files.writeString(outbox.resolve("a.png"), "first");
        Path webp = Files.writeString(outbox.resolve("a.webp"), "second");
        kept.keep(KEY_A, png, "png", "{\"n\":1}".getBytes(StandardCharsets.UTF_8));
        kept.keep(KEY_A, webp, "webp", "{\"n\":2}".getBytes(StandardCharsets.UTF_8));

        KeptAnswers.Kept found = kept.find(KEY_A).orElseThrow();
        assertThat(found.extension()).isEqualTo("webp");
        assertThat(found.sidecar().path("n").asInt()).isEqualTo(2);
        assertThat(names(outbox.resolve(KeptAnswers.DIRECTORY))).containsExactly(KEY_A + ".json", KEY_A + ".webp");
        kept.discard(KEY_A);
        assertThat(kept.find(KEY_A)).isEmpty();
        assertThat(names(outbox.resolve(KeptAnswers.DIRECTORY))).isEmpty();
    }

    @Test
    void documentsAreReplacedWholeAndLeaveNoPartFiles() throws IOException {
        FileSink sink = new FileSink(outbox);
        sink.putDocument("cats/report.json", "{\"v\":1}".getBytes(StandardCharsets.UTF_8), "application/json");
        sink.putDocument("cats/report.json", "{\"v\":2}".getBytes(StandardCharsets.UTF_8), "application/json");

        assertThat(Files.readString(outbox.resolve("cats/report.json"))).isEqualTo("{\"v\":2}");
        assertThat(names(outbox.resolve("cats"))).containsExactly("report.json");
        assertThat(names(outbox.resolve(FileSink.WORK_DIR))).isEmpty();
    }

    private Outputs outputs() {
        return new Outputs(outbox, new FileSink(outbox), List.of());
    }

    /** As the item route does it: the decoder's temporary image in outbox/.tmp, then storeItem. */
    private void store(Outputs outputs, String batch, String id, String key, String extension) throws IOException {
        Path decoded = Files.createTempFile(Files.createDirectories(outputs.workDir()), "image-", ".part");
        Files.writeString(decoded, "image bytes for " + key);
        byte[] sidecar = ("{\"id\":\"" + id + "\",\"requestKey\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8);
        outputs.prepareBatch(batch);
        outputs.storeItem(batch, id, decoded, extension, "image/" + extension, key, sidecar);
    }

    private static List<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
