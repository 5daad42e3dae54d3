import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.ImageMode;
import io.github.geminiimagebatch.simulator.SimulatorOptions;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throughput and memory of the Gemini simulator: 10,000 small (1K flat, gemini-2.5-flash-image)
 * requests at concurrency 8 over real HTTP, then a few 4K noise images to show bodies are streamed.
 * Client and simulator share this JVM, so the heap figures are an upper bound for the simulator.
 */
public class SimulatorBench {

    private static final int CONCURRENCY = 8;
    private static final int[] CHECKPOINTS = {1_000, 5_000, 10_000};

    public static void main(String[] args) throws Exception {
        System.out.printf("JVM: %s, %d cores, max heap %d MB%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService workers = Executors.newFixedThreadPool(CONCURRENCY);
        try (GeminiSimulator simulator = GeminiSimulator.start(SimulatorOptions.defaults())) {
            URI endpoint = simulator.baseUri().resolve("/v1beta/models/gemini-2.5-flash-image:generateContent");
            AtomicInteger next = new AtomicInteger();
            AtomicLong bodyBytes = new AtomicLong();
            System.out.printf("small images: 1K flat PNG, gemini-2.5-flash-image, concurrency %d, latency 0%n", CONCURRENCY);
            long startNanos = System.nanoTime();
            int done = 0;
            for (int checkpoint : CHECKPOINTS) {
                long phaseStart = System.nanoTime();
                runUntil(workers, checkpoint, () -> {
                    int i = next.getAndIncrement();
                    HttpRequest request = HttpRequest.newBuilder(endpoint).header("x-goog-api-key", "bench")
                            .POST(HttpRequest.BodyPublishers.ofString(body("bench prompt " + i, "1:1", null))).build();
                    HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("HTTP " + response.statusCode() + ": " + new String(response.body()));
                    }
                    bodyBytes.addAndGet(response.body().length);
                    return i;
                }, next);
                double phaseSeconds = (System.nanoTime() - phaseStart) / 1e9;
                double totalSeconds = (System.nanoTime() - startNanos) / 1e9;
                System.out.printf("  %,6d requests: %7.0f req/s in this phase, %7.0f req/s overall, heap used after GC %5.1f MB%n",
                        checkpoint, (checkpoint - done) / phaseSeconds, checkpoint / totalSeconds, heapAfterGcMegabytes());
                done = checkpoint;
            }
            System.out.printf("  average body %,d bytes; simulator counted %s requests, %s images billed%n",
                    bodyBytes.get() / done, simulator.stats().path("requests"), simulator.stats().path("imagesBilled"));
        }
        try (GeminiSimulator simulator = GeminiSimulator.start(SimulatorOptions.builder().imageMode(ImageMode.NOISE).build())) {
            URI endpoint = simulator.baseUri().resolve("/v1beta/models/gemini-3-pro-image:generateContent");
            int requests = 12;
            AtomicInteger next = new AtomicInteger();
            AtomicLong bodyBytes = new AtomicLong();
            long start = System.nanoTime();
            runUntil(workers, requests, () -> {
                int i = next.getAndIncrement();
                HttpRequest request = HttpRequest.newBuilder(endpoint).header("x-goog-api-key", "bench")
                        .POST(HttpRequest.BodyPublishers.ofString(body("noise " + i, "1:1", "4K"))).build();
                HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = response.body()) {
                    bodyBytes.addAndGet(in.transferTo(java.io.OutputStream.nullOutputStream()));
                }
                return i;
            }, next);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("large images: %d x 4K noise PNG (4096x4096), %,.1f MB body each, %.1f MB/s, %.2f s per image, heap used after GC %.1f MB%n",
                    requests, bodyBytes.get() / 1e6 / requests, bodyBytes.get() / 1e6 / seconds, seconds * Math.min(requests, CONCURRENCY) / requests,
                    heapAfterGcMegabytes());
        } finally {
            workers.shutdownNow();
        }
    }

    private interface Call {
        int call() throws Exception;
    }

    private static void runUntil(ExecutorService workers, int target, Call call, AtomicInteger next) throws Exception {
        List<Future<?>> futures = new ArrayList<>();
        AtomicInteger claimed = new AtomicInteger(next.get());
        for (int w = 0; w < CONCURRENCY; w++) {
            futures.add(workers.submit(() -> {
                while (claimed.getAndIncrement() < target) {
                    call.call();
                }
                return null;
            }));
        }
        for (Future<?> future : futures) {
            future.get();
        }
    }

    private static String body(String prompt, String aspectRatio, String imageSize) {
        return "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"" + prompt + "\"}]}],"
                + "\"generationConfig\":{\"responseModalities\":[\"IMAGE\"],\"imageConfig\":{\"aspectRatio\":\"" + aspectRatio + "\""
                + (imageSize == null ? "" : ",\"imageSize\":\"" + imageSize + "\"") + "}}}";
    }

    private static double heapAfterGcMegabytes() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1e6;
    }
}
