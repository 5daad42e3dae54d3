package io.github.geminiimagebatch.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;

/**
 * The outbox folder. Every file is written under a hidden temporary name in its target folder and
 * renamed into place, so a visible file is always complete.
 */
public final class FileSink implements OutputSink {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;

    public FileSink(Path root) {
        this.root = root;
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
        Path temp = temporarySibling(target);
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
        Path temp = temporarySibling(target);
        try {
            Files.write(temp, content);
            moveIntoPlace(temp, target);
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
        if (image.isEmpty() || !Files.isRegularFile(resolve(image))) {
            return Optional.empty();
        }
        return Optional.of(image);
    }

    private Path resolve(String relativeName) throws IOException {
        Path target = root.resolve(relativeName).normalize();
        if (!target.startsWith(root.normalize())) {
            throw new IOException("refusing to write outside the outbox: " + relativeName);
        }
        return target;
    }

    private static Path temporarySibling(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".part");
    }

    private static void moveIntoPlace(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
