import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import io.github.geminiimagebatch.web.Thumbnails;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * What a gallery page of thumbnails costs the bundle: the simulator's 1K flat PNGs (as bench/pipeline
 * stores them), thumbnailed by a fresh JVM as the status page's first gallery page asks for them. Prints
 * the CPU of the first page of 48 (cold: class loading, interpreter, JIT included, as in a run), then
 * per thumbnail once warm; thread CPU of the caller and the whole process's CPU (JIT and GC threads too).
 */
public class ThumbnailBench {

    private static final int PAGE = 48;

    public static void main(String[] args) throws Exception {
        int warm = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Path dir = Files.createTempDirectory("thumbnail-bench");
        Files.createDirectories(dir.resolve("b"));
        HttpClient http = HttpClient.newHttpClient();
        ObjectMapper json = new ObjectMapper();
        try (GeminiSimulator simulator = GeminiSimulator.start(SimulatorOptions.defaults())) {
            URI endpoint = simulator.baseUri().resolve("/v1beta/models/gemini-2.5-flash-image:generateContent");
            for (int i = 0; i < PAGE; i++) {
                String body = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"thumbnail bench " + i + "\"}]}],"
                        + "\"generationConfig\":{\"responseModalities\":[\"IMAGE\"]}}";
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint).header("x-goog-api-key", "bench")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode data = json.readTree(response.body()).findValue("data");
                Files.write(dir.resolve("b/" + i + ".png"), Base64.getDecoder().decode(data.asText()));
            }
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long thread = threads.getCurrentThreadCpuTime();
        long process = os.getProcessCpuTime();
        Thumbnails thumbnails = new Thumbnails(name -> Files.newInputStream(dir.resolve(name)));
        for (int i = 0; i < PAGE; i++) {
            thumbnails.of("b/" + i + ".png");
        }
        System.out.printf("first gallery page, %d thumbnails of 1K flat PNGs, cold JVM: thread CPU %.0f ms, process CPU %.0f ms%n",
                PAGE, (threads.getCurrentThreadCpuTime() - thread) / 1e6, (os.getProcessCpuTime() - process) / 1e6);
        thread = threads.getCurrentThreadCpuTime();
        process = os.getProcessCpuTime();
        for (int i = 0; i < warm; i++) {
            new Thumbnails(name -> Files.newInputStream(dir.resolve(name))).of("b/" + (i % PAGE) + ".png");
        }
        System.out.printf("warm, %d more: thread CPU %.2f ms per thumbnail, process CPU %.2f ms per thumbnail%n",
                warm, (threads.getCurrentThreadCpuTime() - thread) / 1e6 / warm, (os.getProcessCpuTime() - process) / 1e6 / warm);
    }
}
