package io.github.geminiimagebatch.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Gives every prompt file a batch folder of its own. The safe batch name drops the extension and
 * folds characters, so different files can share it ({@code cats.txt} and {@code cats.csv}, or
 * {@code Cats.txt} and {@code cats.txt} on a case-insensitive disk); without this their images,
 * manifests and reports would overwrite each other. The first file to use a folder owns it (its
 * exact name is written to {@code .source} in the folder); another file gets the name with
 * {@code -} and 6 hex digits of the SHA-256 of its full file name appended. The same file dropped
 * again finds its own folder, so a resumed batch continues where it stopped. A {@code failed.jsonl}
 * retry owns no folder: it joins the folder its lines name, which must have an owner.
 *
 * <p>{@link #planning} gives the same answers without writing anything: claims are remembered in memory,
 * so {@code plan} names the folders the run will use.
 */
final class BatchFolders {

    static final String OWNER_FILE = ".source";

    private final Path outbox;
    private final boolean write;
    /** Claims made by a plan, which writes no {@code .source}; always empty when {@link #write}. */
    private final Map<String, String> plannedOwners = new HashMap<>();

    private BatchFolders(Path outbox, boolean write) {
        this.outbox = outbox;
        this.write = write;
    }

    /** Folders claimed for real: {@code .source} is written. */
    static BatchFolders claiming(Path outbox) {
        return new BatchFolders(outbox, true);
    }

    /** Folders claimed in memory only, for a plan. */
    static BatchFolders planning(Path outbox) {
        return new BatchFolders(outbox, false);
    }

    /** The folder name for this prompt file, created and owned by it when this returns (remembered when planning). */
    synchronized String claim(String batchName, String sourceFileName) throws IOException {
        String name = batchName;
        for (int attempt = 0; ; attempt++) {
            Optional<String> owner = owner(name);
            if (owner.isEmpty()) {
                if (write) {
                    Path ownerFile = outbox.resolve(name).resolve(OWNER_FILE);
                    Files.createDirectories(ownerFile.getParent());
                    Files.writeString(ownerFile, sourceFileName, StandardCharsets.UTF_8);
                } else {
                    plannedOwners.put(name, sourceFileName);
                }
                return name;
            }
            if (owner.get().equals(sourceFileName)) {
                return name;
            }
            name = batchName + "-" + shortHash(attempt == 0 ? sourceFileName : sourceFileName + "#" + attempt);
        }
    }

    /** The prompt file that owns this folder, if any file does. */
    synchronized Optional<String> owner(String folder) throws IOException {
        String planned = plannedOwners.get(folder);
        if (planned != null) {
            return Optional.of(planned);
        }
        Path ownerFile = outbox.resolve(folder).resolve(OWNER_FILE);
        return Files.exists(ownerFile) ? Optional.of(Files.readString(ownerFile, StandardCharsets.UTF_8)) : Optional.empty();
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
