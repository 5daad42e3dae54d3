package io.github.geminiimagebatch.hostile;

import io.github.geminiimagebatch.prompt.GeneratedCorpus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The hostile prompt-file corpus (src/test/resources/corpus) and its expected.tsv rows. */
final class Corpus {

    static final Path COMMITTED = Path.of("src/test/resources/corpus");

    record Row(String file, String outcome, int validItems, int badItems, String fragment) {
        boolean hasFragment() {
            return !fragment.equals("-");
        }
    }

    private Corpus() {
    }

    static List<Row> rows() {
        try {
            List<Row> rows = new ArrayList<>();
            List<String> lines = Files.readAllLines(COMMITTED.resolve("expected.tsv"), StandardCharsets.UTF_8);
            for (String line : lines.subList(1, lines.size())) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                rows.add(new Row(f[0], f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[4]));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies the committed corpus (hidden files and images/ included) into inbox and generates the rest. */
    static void install(Path inbox, Path outside) throws IOException {
        Files.createDirectories(inbox);
        Files.createDirectories(outside);
        try (Stream<Path> files = Files.walk(COMMITTED)) {
            for (Path source : files.toList()) {
                Path target = inbox.resolve(COMMITTED.relativize(source).toString());
                if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        GeneratedCorpus.writeInto(inbox, outside);
    }
}
