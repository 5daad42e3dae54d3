package io.github.geminiimagebatch.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.geminiimagebatch.secret.Secrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Fans results out to every enabled sink. The local outbox always holds the working files (temporary
 * images, the growing manifest); the folder sink may be switched off when results go to S3 only.
 * Order per item: image, sidecar, then the key-index entry, so a crash never leaves an index entry
 * without its image. An image that cannot be stored is kept in {@code outbox/.state/unstored/} until it can
 * be ({@link KeptAnswers}): it was paid for.
 */
public final class Outputs {

    private static final Logger LOG = LoggerFactory.getLogger(Outputs.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Room the outbox needs before pending work is sent again after an output error. */
    private static final long MIN_FREE_BYTES = 1 << 20;

    private final Path outbox;
    private final Path workDir;
    private final FileSink folder;
    private final List<OutputSink> sinks;
    private final KeptAnswers kept;

    public Outputs(Path outbox, FileSink folder, List<OutputSink> otherSinks) {
        this(outbox, outbox.resolve(FileSink.WORK_DIR), folder, otherSinks);
    }

    /** @param workDir temporary files (answers being received, files before their rename) */
    public Outputs(Path outbox, Path workDir, FileSink folder, List<OutputSink> otherSinks) {
        this.outbox = outbox;
        this.workDir = workDir;
        this.folder = folder;
        this.sinks = otherSinks;
        this.kept = new KeptAnswers(outbox);
    }

    public Path workDir() {
        return workDir;
    }

    /** Where stored images can be read back: the outbox folder, else the first sink that can be read (S3). */
    public Optional<ReadableSink> readable() {
        if (folder != null) {
            return Optional.of(folder);
        }
        return sinks.stream().filter(ReadableSink.class::isInstance).map(ReadableSink.class::cast).findFirst();
    }

    public void prepareBatch(String batch) throws IOException {
        Files.createDirectories(outbox.resolve(batch));
    }

    /** The image already stored for this request key, in any sink. */
    public Optional<String> completedImage(String requestKey) throws IOException {
        if (folder != null) {
            Optional<String> local = folder.completedImage(requestKey);
            if (local.isPresent()) {
                return local;
            }
        }
        for (OutputSink sink : sinks) {
            Optional<String> remote = sink.completedImage(requestKey);
            if (remote.isPresent()) {
                return remote;
            }
        }
        return Optional.empty();
    }

    /**
     * The provider type recorded in the sidecar of a stored image of the outbox folder ({@code simulator},
     * {@code aistudio}, ...), or empty when there is no readable local sidecar.
     */
    public Optional<String> providerTypeOf(String imageName) throws IOException {
        return folder == null ? Optional.empty() : folder.sidecarField(imageName, "providerType");
    }

    /**
     * Stores one finished image and its sidecar everywhere, then records the key, and deletes the temporary
     * file. When that fails, the paid answer is kept in {@code outbox/.state/unstored/} (see {@link KeptAnswers})
     * so the item is stored from there next time instead of being paid for again.
     *
     * @throws AnswerKeptException when the store failed and the answer is kept
     * @throws IOException         when it could not be kept either: it is lost, and generated again next time
     */
    public void storeItem(String batch, String id, Path image, String extension, String mimeType, String requestKey,
                          byte[] sidecar) throws IOException {
        try {
            storeEverywhere(batch, id, image, extension, mimeType, requestKey, sidecar);
        } catch (IOException e) {
            throw keepUnstored(batch, id, image, extension, requestKey, sidecar, e);
        } finally {
            Files.deleteIfExists(image);
        }
    }

    private void storeEverywhere(String batch, String id, Path image, String extension, String mimeType, String requestKey,
                                 byte[] sidecar) throws IOException {
        String imageName = imageName(batch, id, extension);
        String sidecarName = batch + "/" + id + ".json";
        // only the other sinks label objects with the image's facts: the outbox folder alone needs no reading back
        OutputImage described = sinks.isEmpty() ? null : describe(batch, id, imageName, image, mimeType, requestKey, sidecar);
        for (OutputSink sink : sinks) {
            sink.putImage(described);
            sink.putDocument(sidecarName, sidecar, "application/json");
        }
        if (folder != null) {
            folder.moveImage(imageName, image);
            folder.putDocument(sidecarName, sidecar, "application/json");
        }
        byte[] entry = KeyIndex.entry(batch, id, imageName);
        for (OutputSink sink : sinks) {
            sink.putDocument(KeyIndex.entryName(requestKey), entry, "application/json");
        }
        if (folder != null) {
            folder.putDocument(KeyIndex.entryName(requestKey), entry, "application/json");
        }
    }

    private static String imageName(String batch, String id, String extension) {
        return batch + "/" + id + "." + extension;
    }

    /** The image is wherever the failed store left it: still the temporary file, or moved into the outbox folder. */
    private IOException keepUnstored(String batch, String id, Path image, String extension, String requestKey,
                                     byte[] sidecar, IOException failure) {
        Path source = image;
        if (!Files.isRegularFile(source) && folder != null) {
            source = folder.root().resolve(imageName(batch, id, extension));
        }
        try {
            return new AnswerKeptException(kept.keep(requestKey, source, extension, sidecar), failure);
        } catch (IOException notKept) {
            failure.addSuppressed(notKept);
            return failure;
        }
    }

    /** The paid answer kept for this request key because it could not be stored, if any. */
    public Optional<KeptAnswers.Kept> keptAnswer(String requestKey) throws IOException {
        return kept.find(requestKey);
    }

    /**
     * Stores a kept answer as {@code batch/id} (its sidecar saying so), then lets go of it. The kept files stay
     * untouched until everything is stored, so a store that fails again keeps them for the next time.
     *
     * @return the stored image's name
     */
    public String storeKept(String batch, String id, String requestKey, KeptAnswers.Kept answer) throws IOException {
        ObjectNode sidecar = answer.sidecar().deepCopy();
        sidecar.put("batch", batch);
        sidecar.put("id", id);
        Path image = Files.createDirectories(workDir).resolve(requestKey + "." + UUID.randomUUID() + ".kept");
        try {
            Files.copy(answer.image(), image);
            storeEverywhere(batch, id, image, answer.extension(), sidecar.path("mimeType").asText(null), requestKey,
                    sidecar.toPrettyString().getBytes(StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(image);
        }
        try {
            kept.discard(requestKey);
        } catch (IOException e) {
            // stored is stored: a kept copy left behind is never used, since the key index answers first
            LOG.warn("Stored {}, but could not remove its kept copy in {} ({}).", imageName(batch, id, answer.extension()),
                    KeptAnswers.DIRECTORY, Secrets.redact(String.valueOf(e.getMessage())));
        }
        return imageName(batch, id, answer.extension());
    }

    /** Drops the answer kept for this key (a placeholder of the simulator that a real image replaces). */
    public void discardKept(String requestKey) throws IOException {
        kept.discard(requestKey);
    }

    /** The sidecar already holds the image's facts (sha256, pixels): sinks that label objects take them from there. */
    private static OutputImage describe(String batch, String id, String imageName, Path image, String mimeType,
                                        String requestKey, byte[] sidecar) throws IOException {
        JsonNode facts = JSON.readTree(sidecar);
        return new OutputImage(batch, id, imageName, image, mimeType, requestKey,
                facts.path("sha256").asText(null),
                facts.hasNonNull("width") ? facts.get("width").asInt() : null,
                facts.hasNonNull("height") ? facts.get("height").asInt() : null);
    }

    /** Whether every output answers now: the outbox's work folder is writable with room left, every other sink answers. */
    public boolean answering() {
        try {
            Path dir = Files.createDirectories(workDir());
            if (!Files.isWritable(dir) || Files.getFileStore(dir).getUsableSpace() < MIN_FREE_BYTES) {
                return false;
            }
        } catch (IOException e) {
            return false;
        }
        return sinks.stream().allMatch(OutputSink::answers);
    }

    /** Appends an item's line to the working manifest as soon as it settles, for whoever watches progress. */
    public synchronized void appendProgress(String batch, String manifestLine) throws IOException {
        Path manifest = outbox.resolve(batch).resolve("manifest.jsonl");
        try (OutputStream out = Files.newOutputStream(manifest, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            out.write((manifestLine + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Final documents of a batch (manifest, report, failed items as a prompt file, ...), by file name in the batch
     * folder. An empty document is not written, and an earlier one of that name is removed from the outbox folder,
     * so every file there describes the batch as it is now.
     */
    public void writeBatchDocuments(String batch, Map<String, byte[]> documents) throws IOException {
        FileSink local = folder != null ? folder : new FileSink(outbox, workDir);
        for (Map.Entry<String, byte[]> document : documents.entrySet()) {
            if (document.getValue().length > 0) {
                local.putDocument(batch + "/" + document.getKey(), document.getValue(), contentType(document.getKey()));
            } else {
                Files.deleteIfExists(outbox.resolve(batch).resolve(document.getKey()));
            }
        }
        for (OutputSink sink : sinks) {
            try {
                for (Map.Entry<String, byte[]> document : documents.entrySet()) {
                    if (document.getValue().length > 0) {
                        sink.putDocument(batch + "/" + document.getKey(), document.getValue(), contentType(document.getKey()));
                    }
                }
            } catch (IOException e) {
                // the images are stored and the local outbox has these documents: failing the batch here would
                // only make it run again, so say where the documents are and go on
                LOG.error("Batch {}: could not copy manifest/report to the {} output ({}). They are in {}.", batch,
                        sink.name(), Secrets.redact(String.valueOf(e.getMessage())), outbox.resolve(batch).toAbsolutePath());
            }
        }
    }

    private static String contentType(String document) {
        return document.endsWith(".jsonl") ? "application/x-ndjson" : "application/json";
    }
}
