package io.github.geminiimagebatch.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reading the service's JSON-lines files in tests. */
final class ServiceFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ServiceFiles() {
    }

    /** The sidecars in a batch folder of a .txt prompt file (0001.json, ...), not its report. */
    static List<JsonNode> sidecars(Path batch) throws IOException {
        List<JsonNode> sidecars = new ArrayList<>();
        try (Stream<Path> files = Files.list(batch)) {
            for (Path file : files.filter(f -> f.getFileName().toString().matches("\\d+\\.json")).toList()) {
                sidecars.add(JSON.readTree(file.toFile()));
            }
        }
        return sidecars;
    }

    static List<JsonNode> jsonLines(Path file) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }
}
