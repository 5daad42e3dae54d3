package io.github.geminiimagebatch.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Gives every prompt file a batch folder of its own. The safe batch name drops the extension and
 * folds characters, so different files can share it ({@code cats.txt} and {@code cats.csv}, or
 * {@code Cats.txt} and {@code cats.txt} on a case-insensitive disk); without this their images,
 * manifests and reports would overwrite each other. The first file to use a folder owns it (its
 * exact name is written to {@code .source} in the folder); another file gets the name with
 * {@code -} and 6 hex digits of the SHA-256 of its full file name appended. The same file dropped
 * again finds its own folder, so a resumed batch continues where it stopped.
 */
final class BatchFolders {

    static final String OWNER_FILE = ".source";

    private final Path outbox;

    BatchFolders(Path outbox) {
        this.outbox = outbox;
    }

    /** The folder name for this prompt file, created and owned by it when this returns. */
    synchronized String claim(String batchName, String sourceFileName) throws IOException {
        String name = batchName;
        for (int attempt = 0; ; attempt++) {
            Path owner = outbox.resolve(name).resolve(OWNER_FILE);
            if (!Files.exists(owner)) {
                Files.createDirectories(owner.getParent());
                Files.writeString(owner, sourceFileName, StandardCharsets.UTF_8);
                return name;
            }
            if (Files.readString(owner, StandardCharsets.UTF_8).equals(sourceFileName)) {
                return name;
            }
            name = batchName + "-" + shortHash(attempt == 0 ? sourceFileName : sourceFileName + "#" + attempt);
        }
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
