package io.github.geminiimagebatch.prompt;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The part of the hostile corpus that is not committed: files too large for the repository, symlinks,
 * and names Windows cannot check out. Their expected outcomes are rows of corpus/expected.tsv like the
 * committed files; anything that runs the corpus (this package's test, the lead's pipeline test) copies
 * src/test/resources/corpus into an inbox and then calls {@link #writeInto}.
 */
public final class GeneratedCorpus {

    private GeneratedCorpus() {
    }

    /**
     * @param inbox   a copy of the committed corpus
     * @param outside a folder outside the inbox, for link targets that must be refused
     */
    public static void writeInto(Path inbox, Path outside) throws IOException {
        write(inbox.resolve("huge-line.txt"), "a small prompt\n" + "z".repeat(5 * 1024 * 1024) + "\nanother small prompt\n");
        write(inbox.resolve("twenty-thousand-lines.txt"), numberedLines(20_000));
        write(inbox.resolve("too-many-items.txt"), numberedLines(PromptLimits.DEFAULT_MAX_ITEMS_PER_FILE + 1));
        try (RandomAccessFile sparse = new RandomAccessFile(inbox.resolve("over-size-limit.txt").toFile(), "rw")) {
            sparse.setLength(PromptLimits.DEFAULT_MAX_FILE_BYTES + 1);
        }
        Path secret = write(outside.resolve("secret.txt"), "a prompt that lives outside the inbox\n");
        Files.createSymbolicLink(inbox.resolve("link-outside.txt"), secret);
        Files.createSymbolicLink(inbox.resolve("link-inside.txt"), inbox.resolve("bom-crlf.txt"));
        Files.createSymbolicLink(inbox.resolve("dangling-link.txt"), inbox.resolve("no-such-file.txt"));
        Path outsideImage = Files.write(outside.resolve("secret.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        Files.createSymbolicLink(inbox.resolve("images/link-out.png"), outsideImage);
        write(inbox.resolve("reference-link-outside.jsonl"), """
                {"prompt":"fine","referenceImages":["images/red.png"]}
                {"prompt":"sneaky","referenceImages":["images/link-out.png"]}
                """);
        write(inbox.resolve("CON.txt"), "a prompt in a file with a Windows device name\n");
        write(inbox.resolve("nul.jsonl"), "{\"prompt\":\"another device name\"}\n");
        Files.createDirectory(inbox.resolve("folder.txt"));
    }

    private static String numberedLines(int count) {
        StringBuilder lines = new StringBuilder(count * 12);
        for (int i = 1; i <= count; i++) {
            lines.append("prompt ").append(i).append('\n');
        }
        return lines.toString();
    }

    private static Path write(Path file, String content) throws IOException {
        return Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
