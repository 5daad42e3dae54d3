package io.github.geminiimagebatch.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.UUID;

/**
 * The outbox folder. Every file is written under a temporary name in {@code outbox/.tmp/} and
 * renamed into place, so a file in a batch folder is always complete, and a crash leaves its
 * half-written files only in {@code .tmp/}, which is cleared at the next start.
 */
public final class FileSink implements OutputSink, ReadableSink {

    /** Temporary files of this sink and of the response decoder; cleared at start-up. */
    public static final String WORK_DIR = ".tmp";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final Path workDir;

    public FileSink(Path root) {
        this(root, root.resolve(WORK_DIR));
    }

    /** @param workDir where files are written before they are renamed into place (same file system as root) */
    public FileSink(Path root, Path workDir) {
        this.root = root;
        this.workDir = workDir;
    }

    @Override
    public String name() {
        return "file";
    }

    public Path root() {
        return root;
    }

    @Override
    public void putImage(OutputImage image) throws IOException {
        Path target = resolve(image.relativeName());
        Files.createDirectories(target.getParent());
        Path temp = temporaryFile(target);
        try {
            Files.copy(image.file(), temp, StandardCopyOption.REPLACE_EXISTING);
            moveIntoPlace(temp, target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Moves a finished temporary file into place without copying, when it is on the same file system. */
    public void moveImage(String relativeName, Path image) throws IOException {
        Path target = resolve(relativeName);
        Files.createDirectories(target.getParent());
        moveIntoPlace(image, target);
    }

    @Override
    public void putDocument(String relativeName, byte[] content, String contentType) throws IOException {
        Path target = resolve(relativeName);
        Files.createDirectories(target.getParent());
        Path temp = temporaryFile(target);
        try {
            Files.write(temp, content);
            if (relativeName.startsWith(KeyIndex.DIRECTORY + "/")) {
                // an index entry lost in a power cut costs one regeneration, not a wrong skip: no flush
                rename(temp, target);
            } else {
                moveIntoPlace(temp, target);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public Optional<String> completedImage(String requestKey) throws IOException {
        Path entry = resolve(KeyIndex.entryName(requestKey));
        if (!Files.isRegularFile(entry)) {
            return Optional.empty();
        }
        JsonNode node;
        try {
            node = JSON.readTree(entry.toFile());
        } catch (IOException unreadable) {
            return Optional.empty();
        }
        String image = node.path("image").asText("");
        if (image.isEmpty() || !Files.isRegularFile(resolve(image)) || !sidecarNames(image, requestKey)) {
            return Optional.empty();
        }
        return Optional.of(image);
    }

    /**
     * The index entry only says where the image was put. A later request for the same batch and id (the
     * prompt file edited, another image size configured) overwrites that image and its sidecar; the
     * sidecar's own request key tells whether the file there is still this request's image.
     */
    private boolean sidecarNames(String image, String requestKey) throws IOException {
        return sidecarField(image, "requestKey").filter(requestKey::equals).isPresent();
    }

    /** A text field of the sidecar ({@code B/I.json}) that belongs to the image {@code B/I.ext}. */
    public Optional<String> sidecarField(String image, String field) throws IOException {
        int dot = image.lastIndexOf('.');
        Path sidecar = resolve((dot > image.lastIndexOf('/') ? image.substring(0, dot) : image) + ".json");
        if (!Files.isRegularFile(sidecar)) {
            return Optional.empty();
        }
        try {
            JsonNode value = JSON.readTree(sidecar.toFile()).path(field);
            return value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
        } catch (IOException unreadable) {
            return Optional.empty();
        }
    }

    @Override
    public InputStream open(String relativeName) throws IOException {
        return Files.newInputStream(resolve(relativeName));
    }

    private Path resolve(String relativeName) throws IOException {
        Path target = root.resolve(relativeName).normalize();
        if (!target.startsWith(root.normalize())) {
            throw new IOException("refusing to use a path outside the outbox: " + relativeName);
        }
        return target;
    }

    /** Same file system as the target (so the rename is atomic), but outside the folders users look at. */
    private Path temporaryFile(Path target) throws IOException {
        return Files.createDirectories(workDir).resolve(target.getFileName() + "." + UUID.randomUUID() + ".part");
    }

    /**
     * The data reaches the disk before the name does: after a power cut, a file under its final name
     * is never empty or short (a rename is otherwise free to be persisted before the data). An index
     * entry lost with the cut only costs a regeneration, since a lookup also needs the image and sidecar.
     */
    static void moveIntoPlace(Path source, Path target) throws IOException {
        try (FileChannel data = FileChannel.open(source, StandardOpenOption.WRITE)) {
            data.force(true);
        }
        rename(source, target);
    }

    private static void rename(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
