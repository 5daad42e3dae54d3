package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.cli.GeminiImageBatch;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** /observe/health and /observe/metrics over HTTP while a real --once run works against a slow simulator. */
class ObserveEndpointsTest {

    private static final String SECRET = "AIzaFAKE-observe-secret-0123456789";

    @TempDir
    Path tmp;

    @Test
    void healthAndMetricsAreServedOnLoopbackDuringARun() throws Exception {
        int port = freePort();
        try (Harness h = new Harness(tmp, SimulatorOptions.builder().port(0).latency(700, 0).build())) {
            h.drop("slow.txt", IntStream.rangeClosed(1, 12).mapToObj(i -> "slow prompt " + i)
                    .collect(Collectors.joining("\n")) + "\n");
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> h.runOnce(
                    "--set", "camel.management.port=" + port,
                    "--set", "imagegen.provider.simulator.maxConcurrency=2",
                    "--set", "imagegen.provider.simulator.apiKey=" + SECRET,
                    "--set", "imagegen.provider.simulator.price.1K=0.05"));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            URI base = URI.create("http://127.0.0.1:" + port);

            AtomicReference<String> midRun = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                String metrics = getOrNull(http, base.resolve("/observe/metrics"));
                if (metrics != null && value(metrics, "imagegen_images_total{provider=\"simulator\",status=\"ok\"}") >= 1
                        && value(metrics, "imagegen_inflight{provider=\"simulator\"}") >= 1) {
                    midRun.set(metrics);
                    return true;
                }
                return false;
            });
            String metrics = midRun.get();
            assertThat(value(metrics, "imagegen_calls_total{provider=\"simulator\"}")).isBetween(2.0, 12.0);
            assertThat(value(metrics, "imagegen_inflight{provider=\"simulator\"}")).isBetween(1.0, 2.0);
            assertThat(value(metrics, "imagegen_queue_depth")).isBetween(1.0, 11.0);
            assertThat(value(metrics, "imagegen_cost_usd_total{provider=\"simulator\"}"))
                    .isEqualTo(0.05 * value(metrics, "imagegen_images_total{provider=\"simulator\",status=\"ok\"}"),
                            org.assertj.core.data.Offset.offset(1e-9));
            assertThat(value(metrics, "imagegen_provider_available{provider=\"simulator\"}")).isEqualTo(1.0);
            assertThat(metrics).contains("imagegen_retries_total{provider=\"simulator\"}")
                    .contains("imagegen_provider_pause_seconds{provider=\"simulator\"}")
                    .contains("imagegen_images_total{provider=\"simulator\",status=\"failed\"}")
                    .doesNotContain(SECRET);

            HttpResponse<String> health = http.send(HttpRequest.newBuilder(base.resolve("/observe/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).startsWith("{\"status\":\"UP\"").contains("provider-simulator")
                    .contains("{\"name\":\"provider-simulator\",\"status\":\"UP\",\"message\":\"simulator takes requests\"}").doesNotContain(SECRET);

            assertThat(run.get(60, TimeUnit.SECONDS)).isZero();
            assertThat(h.requests()).isEqualTo(12);
        }
    }

    @Test
    void aProviderOutOfItsDailyQuotaTurnsHealthDownWhileTheRunGoesOnElsewhere() throws Exception {
        int port = freePort();
        try (Harness h = new Harness(tmp, SimulatorOptions.builder().port(0).latency(600, 0).build());
             GeminiSimulator daily = GeminiSimulator.start(SimulatorOptions.builder().port(0).rpd(1).build())) {
            h.drop("two.txt", IntStream.rangeClosed(1, 10).mapToObj(i -> "two providers " + i)
                    .collect(Collectors.joining("\n")) + "\n");
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> GeminiImageBatch.execute("--once",
                    "--inbox", h.inbox.toString(), "--outbox", h.outbox.toString(), "--provider", "daily,simulator",
                    "--set", "imagegen.provider.daily.type=simulator",
                    "--set", "imagegen.provider.daily.baseUrl=" + daily.baseUri(),
                    "--set", "imagegen.provider.simulator.baseUrl=" + h.simulator.baseUri(),
                    "--set", "imagegen.provider.simulator.maxConcurrency=2",
                    "--set", "imagegen.inbox.stableMillis=100",
                    "--set", "imagegen.inbox.pollDelayMillis=100",
                    "--set", "imagegen.progress.interval=1h",
                    "--set", "camel.management.port=" + port));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            URI health = URI.create("http://127.0.0.1:" + port + "/observe/health");

            AtomicReference<HttpResponse<String>> down = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
                    down.set(r);
                    return r.body().contains("\"name\":\"provider-daily\",\"status\":\"DOWN\"");
                } catch (IOException notYetListening) {
                    return false;
                }
            });

            assertThat(down.get().statusCode()).isEqualTo(503);
            assertThat(down.get().body()).startsWith("{\"status\":\"DOWN\"")
                    .contains("daily closed until")
                    .contains("{\"name\":\"provider-simulator\",\"status\":\"UP\"");
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/observe/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(value(metrics, "imagegen_provider_available{provider=\"daily\"}")).isZero();
            assertThat(value(metrics, "imagegen_provider_pause_seconds{provider=\"daily\"}")).isGreaterThan(0);
            // requests already in flight when the first per-day 429 came back get one too (maxConcurrency 4)
            assertThat(value(metrics, "imagegen_throttles_total{kind=\"per_day\",provider=\"daily\"}")).isBetween(1.0, 4.0);
            assertThat(run.get(60, TimeUnit.SECONDS)).isZero();
        }
    }

    private static String getOrNull(HttpClient http, URI uri) throws InterruptedException {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException notYetListening) {
            return null;
        }
    }

    /** The value of one Prometheus sample, by its exact name and labels as printed. */
    static double value(String exposition, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(exposition);
        assertThat(m.find()).as("series %s in%n%s", series, exposition).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** A loopback port free right now, for the management server (it cannot report a port 0 choice back). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
