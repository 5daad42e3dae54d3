import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * One row of the bench/quota table from what a run left behind: image times (the sidecars of an
 * outbox batch folder, or a file of instants) and the simulator's /sim/stats.
 *
 * <p>Usage: java -cp target/gemini-image-batch.jar bench/QuotaSummary.java LABEL LIMIT_PER_MINUTE
 * MINUTE_SECONDS TIMES(dir[,dir...]|file) STATS_JSON WALL_SECONDS PROMPTS (several outbox batch folders: their images together)
 */
public class QuotaSummary {

    public static void main(String[] args) throws Exception {
        String label = args[0];
        int limit = Integer.parseInt(args[1]);
        double minute = Double.parseDouble(args[2]);
        Path times = Path.of(args[3]);
        JsonNode stats = new ObjectMapper().readTree(Files.readString(Path.of(args[4])));
        double wall = Double.parseDouble(args[5]);
        int prompts = Integer.parseInt(args[6]);
        List<Instant> made = new ArrayList<>();
        if (Files.isDirectory(times) || args[3].contains(",")) {
            ObjectMapper json = new ObjectMapper();
            for (String dir : args[3].split(",")) {
                if (!Files.isDirectory(Path.of(dir))) {
                    continue;
                }
                try (Stream<Path> files = Files.list(Path.of(dir))) {
                    for (Path f : files.filter(p -> p.getFileName().toString().matches("\\d{4}\\.json")).toList()) {
                        made.add(Instant.parse(json.readTree(f.toFile()).path("time").asText()));
                    }
                }
            }
        } else {
            Files.readAllLines(times).stream().filter(l -> !l.isBlank()).map(Instant::parse).forEach(made::add);
        }
        made.sort(null);
        long requests = stats.path("requests").asLong();
        long throttled = stats.path("http429").asLong();
        // Steady rate: images after the first window's worth, over the time they took (the first
        // window is a free burst for any client and would flatter the figure).
        String steady = "-";
        String ratio = "-";
        if (made.size() > limit + 1) {
            double span = Duration.between(made.get(limit - 1), made.get(made.size() - 1)).toNanos() / 1e9;
            double perMinute = (made.size() - limit) / span * minute;
            steady = String.format(Locale.ROOT, "%.2f", perMinute);
            ratio = String.format(Locale.ROOT, "%.1f%%", 100 * perMinute / limit);
        }
        System.out.printf(Locale.ROOT, "| %-44s | %3d/%d | %5s | %6s | %4d | %3d (%4.1f%%) | %6.1f |%n", label, made.size(), prompts,
                steady, ratio, requests, throttled, requests == 0 ? 0.0 : 100.0 * throttled / requests, wall);
    }
}
