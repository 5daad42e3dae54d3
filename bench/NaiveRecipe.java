import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The common recipe for rate limits, as a baseline for bench/quota: one request at a time, a sleep
 * of 60/RPM after each, a 429 retried after 2^n s plus up to 1 s of jitter, 3 tries in all, then
 * the prompt is given up. Times are scaled to the simulator's minute (a 6 s minute makes 2 s 0.2 s).
 *
 * <p>Usage: java bench/NaiveRecipe.java BASE_URL RPM MINUTE_SECONDS PROMPTS PREFIX TIMES_FILE
 * <br>Writes one ISO instant per image made to TIMES_FILE and prints "images N lost N 429s N wall S".
 */
public class NaiveRecipe {

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        double rpm = Double.parseDouble(args[1]);
        double minuteSeconds = Double.parseDouble(args[2]);
        int prompts = Integer.parseInt(args[3]);
        String prefix = args[4];
        Path timesFile = Path.of(args[5]);
        double scale = minuteSeconds / 60.0;
        long intervalMillis = Math.round(minuteSeconds / rpm * 1000);
        Random random = new Random(1);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        URI endpoint = base.resolve("/v1beta/models/gemini-3.1-flash-image:generateContent");
        List<String> times = new ArrayList<>();
        int lost = 0;
        int throttled = 0;
        long start = System.nanoTime();
        for (int i = 1; i <= prompts; i++) {
            String body = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"" + prefix + " prompt " + i + "\"}]}],"
                    + "\"generationConfig\":{\"responseModalities\":[\"IMAGE\"],\"imageConfig\":{\"aspectRatio\":\"1:1\",\"imageSize\":\"1K\"}}}";
            boolean made = false;
            for (int attempt = 1; attempt <= 3 && !made; attempt++) {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(endpoint)
                        .header("x-goog-api-key", "bench-key").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    made = true;
                    times.add(Instant.now().toString());
                } else if (response.statusCode() == 429) {
                    throttled++;
                    if (attempt < 3) {
                        double backoffSeconds = (Math.pow(2, attempt) + random.nextDouble()) * scale;
                        Thread.sleep(Math.round(backoffSeconds * 1000));
                    }
                } else {
                    throw new IllegalStateException("unexpected HTTP " + response.statusCode() + " for prompt " + i);
                }
            }
            if (!made) {
                lost++;
            }
            Thread.sleep(intervalMillis);
        }
        double wall = (System.nanoTime() - start) / 1e9;
        Files.write(timesFile, times);
        System.out.printf(java.util.Locale.ROOT, "images %d lost %d 429s %d wall %.3f%n", times.size(), lost, throttled, wall);
    }
}
