package io.github.geminiimagebatch.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.cli.GeminiImageBatch;
import io.github.geminiimagebatch.output.S3ProxyServer;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The status page's HTTP side against the real application and simulator: JSON, thumbnails, refusals, the token. */
class StatusPageHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "AIzaFAKE-statuspage-key-0123456789";
    private static final String TOKEN = "statuspage-token-0123456789abcdef";

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void statusJsonGalleryPagesAndThumbnailsOfACompleteBatch() throws Exception {
        try (ServiceRun run = new ServiceRun(tmp, SimulatorOptions.builder().port(0).build(),
                Map.of("imagegen.provider.simulator.apiKey", KEY, "imagegen.provider.simulator.price.1K", "0.05"))) {
            run.drop("cranes.txt", IntStream.rangeClosed(1, 7).mapToObj(i -> "a paper crane number " + i)
                    .collect(Collectors.joining("\n")) + "\n");

            JsonNode status = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> JSON.readTree(get(run.base, "/api/status", null).body()),
                            s -> s.path("batches").size() == 1 && s.path("batches").get(0).path("state").asText().equals("complete"));
            JsonNode batch = status.path("batches").get(0);
            assertThat(batch.path("name").asText()).isEqualTo("cranes");
            assertThat(batch.path("source").asText()).isEqualTo("cranes.txt");
            assertThat(batch.path("ok").asLong()).isEqualTo(7);
            assertThat(batch.path("total").asLong()).isEqualTo(7);
            assertThat(batch.path("toGo").asLong()).isZero();
            assertThat(batch.path("costUsd").asDouble()).isEqualTo(0.35, org.assertj.core.data.Offset.offset(1e-9));
            JsonNode provider = status.path("providers").get(0);
            assertThat(provider.path("name").asText()).isEqualTo("simulator");
            assertThat(provider.path("state").asText()).isEqualTo("pacing");
            assertThat(provider.path("calls").asLong()).isEqualTo(7);
            assertThat(provider.path("images").asLong()).isEqualTo(7);
            assertThat(status.path("run").path("ok").asLong()).isEqualTo(7);
            assertThat(status.path("run").path("mode").asText()).isEqualTo("service");
            JsonNode series = status.path("series").path("providers").path("simulator").path("images");
            long charted = 0;
            for (JsonNode n : series) {
                charted += n.asLong();
            }
            assertThat(charted).isEqualTo(7);

            HttpResponse<Stream<String>> stream = http.send(HttpRequest.newBuilder(run.base.resolve("/api/status/stream")).build(),
                    HttpResponse.BodyHandlers.ofLines());
            assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
            try (Stream<String> lines = stream.body()) {
                List<JsonNode> pushed = lines.filter(line -> line.startsWith("data: ")).limit(2)
                        .map(line -> readJson(line.substring("data: ".length()))).toList();
                assertThat(pushed).allSatisfy(s -> assertThat(s.path("batches").get(0).path("ok").asLong()).isEqualTo(7));
                assertThat(Instant.parse(pushed.get(1).path("now").asText())).isAfter(Instant.parse(pushed.get(0).path("now").asText()));
            }

            JsonNode page = JSON.readTree(get(run.base, "/api/batches/0/items?offset=5&limit=5", null).body());
            assertThat(page.path("total").asInt()).isEqualTo(7);
            assertThat(page.path("offset").asInt()).isEqualTo(5);
            assertThat(page.path("items")).hasSize(2);
            assertThat(page.path("items").get(0).path("prompt").asText()).isEqualTo("a paper crane number 6");
            String image = page.path("items").get(0).path("image").asText();
            assertThat(image).startsWith("cranes/").endsWith(".png");

            HttpResponse<byte[]> thumb = http.send(HttpRequest.newBuilder(run.base.resolve("/thumbs?image="
                    + URLEncoder.encode(image, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(thumb.statusCode()).isEqualTo(200);
            assertThat(thumb.headers().firstValue("Content-Type")).hasValue("image/jpeg");
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(thumb.body()));
            assertThat(decoded.getWidth()).isBetween(1, Thumbnails.MAX_SIDE);
            assertThat(decoded.getHeight()).isBetween(1, Thumbnails.MAX_SIDE);

            // Gemini may answer with WebP; the simulator renders PNG and JPEG only, so a stored image is
            // replaced by a real WebP before its first thumbnail is asked for (the reader goes by the bytes)
            String webp = page.path("items").get(1).path("image").asText();
            Files.copy(ThumbnailsTest.SMALL_WEBP, run.outbox.resolve(webp), StandardCopyOption.REPLACE_EXISTING);
            HttpResponse<byte[]> webpThumb = http.send(HttpRequest.newBuilder(run.base.resolve("/thumbs?image="
                    + URLEncoder.encode(webp, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(webpThumb.statusCode()).isEqualTo(200);
            BufferedImage webpDecoded = ImageIO.read(new ByteArrayInputStream(webpThumb.body()));
            assertThat(webpDecoded.getWidth()).isEqualTo(16);
            assertThat(webpDecoded.getHeight()).isEqualTo(16);

            Files.writeString(run.outbox.resolve("secret.png"), "not for the page");
            for (String traversal : new String[] {"../secret.png", "cranes/../../secret.png", "cranes/..", "..%2Fsecret.png"}) {
                assertThat(get(run.base, "/thumbs?image=" + URLEncoder.encode(traversal, StandardCharsets.UTF_8), null)
                        .statusCode()).as(traversal).isEqualTo(400);
            }
            assertThat(get(run.base, "/thumbs?image=" + URLEncoder.encode("cranes/other.png", StandardCharsets.UTF_8), null)
                    .statusCode()).isEqualTo(404);
            assertThat(get(run.base, "/api/batches/9/items", null).statusCode()).isEqualTo(404);

            HttpResponse<String> html = get(run.base, "/", null);
            assertThat(html.statusCode()).isEqualTo(200);
            assertThat(html.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'");
            assertThat(html.body()).contains("<script src=\"/assets/status.js\"");
            for (String path : new String[] {"/", "/api/status", "/api/batches/0/items", "/assets/status.js"}) {
                assertThat(get(run.base, path, null).body()).as(path).doesNotContain(KEY);
            }
            assertThat(rawStatusLine(run.port, "evil.example:" + run.port)).isEqualTo("HTTP/1.1 403 Forbidden");
            assertThat(rawStatusLine(run.port, "localhost:" + run.port)).isEqualTo("HTTP/1.1 200 OK");
        }
    }

    private static String rawStatusLine(int port, String host) throws IOException {
        return rawStatusLine(port, host, "/api/status");
    }

    /** A request with a Host header of our choosing (Java's HttpClient sets its own): as a DNS-rebinding page would send. */
    private static String rawStatusLine(int port, String host, String path) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    /**
     * Requests without the token from the moment the management port opens until the page is up: not
     * one may be served (the access rule must be in front before the server listens, not join later).
     */
    @Test
    void withATokenNothingIsServedWithoutItFromTheMomentThePortOpens() throws Exception {
        int port = ServiceRun.freePort();
        String[] paths = {"/observe/health", "/observe/metrics", "/api/status", "/"};
        Queue<String> answers = new ConcurrentLinkedQueue<>();
        AtomicBoolean starting = new AtomicBoolean(true);
        Thread hammer = new Thread(() -> {
            for (int i = 0; starting.get(); i++) {
                String path = paths[i % paths.length];
                try {
                    answers.add(path + " -> " + rawStatusLine(port, "127.0.0.1:" + port, path));
                } catch (IOException notListeningYet) {
                    LockSupport.parkNanos(500_000);
                }
            }
        }, "hammer");
        hammer.start();
        try (ServiceRun run = new ServiceRun(tmp, SimulatorOptions.builder().port(0).build(),
                Map.of(WebAccess.TOKEN_SETTING, TOKEN), port)) {
            starting.set(false);
            hammer.join(10_000);
            assertThat(get(run.base, "/observe/health", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        } finally {
            starting.set(false);
            hammer.join(10_000);
        }
        assertThat(answers).as("requests answered while the bundle started").isNotEmpty()
                .allSatisfy(answer -> assertThat(answer).endsWith(" -> HTTP/1.1 401 Unauthorized"));
    }

    @Test
    void thumbnailsComeFromTheBucketWhenS3IsTheOnlyOutput() throws Exception {
        try (S3ProxyServer store = S3ProxyServer.start("images");
             ServiceRun run = new ServiceRun(tmp, SimulatorOptions.builder().port(0).build(), Map.of(
                     "imagegen.output.file.enabled", "false",
                     "imagegen.output.s3.enabled", "true",
                     "imagegen.output.s3.bucket", "images",
                     "imagegen.output.s3.endpoint", store.endpoint(),
                     "imagegen.output.s3.pathStyle", "true",
                     "imagegen.output.s3.checksum", "when_required",
                     "imagegen.output.s3.accessKey", S3ProxyServer.ACCESS_KEY,
                     "imagegen.output.s3.secretKey", S3ProxyServer.SECRET_KEY))) {
            run.drop("boats.txt", "a red boat\na blue boat\n");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> JSON.readTree(get(run.base, "/api/status", null).body()).path("batches").path(0)
                            .path("state").asText().equals("complete"));
            JsonNode page = JSON.readTree(get(run.base, "/api/batches/0/items", null).body());
            String image = page.path("items").get(1).path("image").asText();
            assertThat(image).isEqualTo("boats/0002.png");
            assertThat(run.outbox.resolve(image)).doesNotExist();

            HttpResponse<byte[]> thumb = http.send(HttpRequest.newBuilder(run.base.resolve("/thumbs?image="
                    + URLEncoder.encode(image, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(thumb.statusCode()).isEqualTo(200);
            assertThat(ImageIO.read(new ByteArrayInputStream(thumb.body())).getWidth()).isBetween(1, Thumbnails.MAX_SIDE);
            for (String path : new String[] {"/", "/api/status", "/api/batches/0/items"}) {
                assertThat(get(run.base, path, null).body()).as(path).doesNotContain(S3ProxyServer.SECRET_KEY);
            }
        }
    }

    @Test
    void withATokenEveryPathNeedsIt() throws Exception {
        try (ServiceRun run = new ServiceRun(tmp, SimulatorOptions.builder().port(0).build(),
                Map.of(WebAccess.TOKEN_SETTING, TOKEN))) {
            for (String path : new String[] {"/", "/api/status", "/api/status/stream", "/thumbs?image=a/b.png", "/observe/health",
                "/observe/metrics"}) {
                HttpResponse<String> refused = get(run.base, path, null);
                assertThat(refused.statusCode()).as(path).isEqualTo(401);
                assertThat(refused.body()).doesNotContain(TOKEN);
                assertThat(get(run.base, path, "Bearer wrong-" + TOKEN).statusCode()).as(path).isEqualTo(401);
            }
            assertThat(get(run.base, "/api/status", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
            assertThat(get(run.base, "/observe/health", "Bearer " + TOKEN).statusCode()).isEqualTo(200);

            HttpResponse<String> login = get(run.base, "/?token=" + TOKEN, null);
            assertThat(login.statusCode()).isEqualTo(303);
            assertThat(login.headers().firstValue("Location")).hasValue("/");
            String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(cookie).containsIgnoringCase("HttpOnly").contains("SameSite=Strict");
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(run.base.resolve("/"))
                    .header("Cookie", cookie.substring(0, cookie.indexOf(';'))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).doesNotContain(TOKEN);
        }
    }

    @Test
    void aOnceRunServesThePageWhileItLastsAndTakesItDownAtTheEnd() throws Exception {
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        Files.writeString(inbox.resolve("slow.txt"), IntStream.rangeClosed(1, 6).mapToObj(i -> "slow prompt " + i)
                .collect(Collectors.joining("\n")) + "\n");
        int port = ServiceRun.freePort();
        URI base = URI.create("http://127.0.0.1:" + port);
        try (GeminiSimulator simulator = GeminiSimulator.start(SimulatorOptions.builder().port(0).latency(400, 0).build())) {
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> GeminiImageBatch.execute("--once",
                    "--inbox", inbox.toString(), "--outbox", tmp.resolve("outbox").toString(), "--provider", "simulator",
                    "--set", "imagegen.provider.simulator.baseUrl=" + simulator.baseUri(),
                    "--set", "imagegen.provider.simulator.maxConcurrency=1",
                    "--set", "imagegen.inbox.stableMillis=100", "--set", "imagegen.inbox.pollDelayMillis=100",
                    "--set", "camel.management.port=" + port));
            JsonNode midRun = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> JSON.readTree(get(base, "/api/status", null).body()),
                            s -> s.path("batches").path(0).path("state").asText().equals("running"));
            assertThat(midRun.path("run").path("mode").asText()).isEqualTo("once");
            assertThat(midRun.path("batches").get(0).path("total").asInt()).isEqualTo(6);

            assertThat(run.get(60, TimeUnit.SECONDS)).isZero();
            assertThatThrownBy(() -> get(base, "/api/status", null)).isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void aBindBeyondLoopbackWithoutATokenIsRefusedAtStartUp() throws Exception {
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        Files.writeString(inbox.resolve("one.txt"), "one prompt\n");
        int code = GeminiImageBatch.execute("--once", "--inbox", inbox.toString(), "--outbox", tmp.resolve("outbox").toString(),
                "--provider", "simulator", "--set", "camel.management.host=0.0.0.0",
                "--set", "camel.management.port=" + ServiceRun.freePort());
        assertThat(code).isEqualTo(1);
        assertThat(inbox.resolve("one.txt")).exists();
        assertThat(tmp.resolve("outbox").resolve("one")).doesNotExist();
    }

    private static JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<String> get(URI base, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
