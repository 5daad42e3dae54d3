package io.github.geminiimagebatch.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;

/**
 * Paid answers that could not be stored (an S3 outage outlasting {@code imagegen.output.retryFor}, a path
 * in the outbox taken by a folder), kept until they are: {@code outbox/.state/unstored/<requestKey>.<ext>}
 * with the sidecar next to it as {@code <requestKey>.json}. The image is written first and the sidecar last,
 * each under a temporary name, flushed and renamed, so a sidecar there always has its complete image.
 * When the item comes back, its answer is stored from here instead of being paid for again.
 */
public final class KeptAnswers {

    /** Folder of the holding area under the outbox. */
    public static final String DIRECTORY = ".state/unstored";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    public KeptAnswers(Path outbox) {
        this.dir = outbox.resolve(DIRECTORY);
    }

    /** An answer waiting to be stored: its image file, and the sidecar it was to be stored with. */
    public record Kept(Path image, String extension, JsonNode sidecar) {
    }

    /**
     * Keeps a copy of {@code image} with its sidecar under the request key.
     *
     * @return where the image is kept
     * @throws IOException when the holding area cannot be written either (the outbox disk itself is the problem)
     */
    public Path keep(String requestKey, Path image, String extension, byte[] sidecar) throws IOException {
        Files.createDirectories(dir);
        // one answer per key: an earlier one (a placeholder set aside) never pairs with this sidecar
        discard(requestKey);
        Path target = dir.resolve(requestKey + "." + extension);
        Path imageTemp = temporary(target);
        Path sidecarTemp = temporary(sidecarOf(requestKey));
        try {
            Files.copy(image, imageTemp, StandardCopyOption.REPLACE_EXISTING);
            FileSink.moveIntoPlace(imageTemp, target);
            Files.write(sidecarTemp, sidecar);
            FileSink.moveIntoPlace(sidecarTemp, sidecarOf(requestKey));
            return target;
        } finally {
            Files.deleteIfExists(imageTemp);
            Files.deleteIfExists(sidecarTemp);
        }
    }

    /** The answer kept for this request key, if any. */
    public Optional<Kept> find(String requestKey) throws IOException {
        Path sidecarFile = sidecarOf(requestKey);
        if (!Files.isRegularFile(sidecarFile)) {
            return Optional.empty();
        }
        JsonNode sidecar = JSON.readTree(sidecarFile.toFile());
        try (DirectoryStream<Path> named = Files.newDirectoryStream(dir, requestKey + ".*")) {
            for (Path image : named) {
                String extension = image.getFileName().toString().substring(requestKey.length() + 1);
                if (!extension.equals("json") && !extension.contains(".") && Files.isRegularFile(image)) {
                    return Optional.of(new Kept(image, extension, sidecar));
                }
            }
        }
        return Optional.empty();
    }

    /** Removes the answer kept for this request key, if any: the sidecar first, so no sidecar outlives its image. */
    public void discard(String requestKey) throws IOException {
        Files.deleteIfExists(sidecarOf(requestKey));
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> named = Files.newDirectoryStream(dir, requestKey + ".*")) {
            for (Path image : named) {
                if (!image.getFileName().toString().endsWith(".part")) {
                    Files.deleteIfExists(image);
                }
            }
        }
    }

    private Path sidecarOf(String requestKey) {
        return dir.resolve(requestKey + ".json");
    }

    private static Path temporary(Path target) {
        return target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".part");
    }
}
