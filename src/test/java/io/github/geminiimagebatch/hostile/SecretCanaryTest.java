package io.github.geminiimagebatch.hostile;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Canary keys through full runs with --debug, HTTP client debug logging switched on and the simulator
 * answering with faults, one of which echoes the key (Google's "Consumer 'api_key:…' has been
 * suspended"): then every byte the run wrote — console, outbox (images, sidecars, manifests, reports,
 * failed.jsonl, key index, temp folder), inbox/.done and .failed, and the simulator's stats — is
 * searched for the key, raw, URL-encoded and base64-encoded at every byte alignment.
 */
class SecretCanaryTest {

    /** Shaped like a Google API key (AIza + 35), so both the registry and the pattern rules see it. */
    static final String GOOGLE_CANARY = "AIzaSyCANARY0123456789abcdefghijklmnopq";
    /** Shaped like nothing: only registration can mask it. */
    static final String GATEWAY_CANARY = "canary-key-7f3e9d1c2b";
    static final String GATEWAY_HEADER = "x-canary-auth";
    static final String OPENROUTER_CANARY = "sk-or-v1-canary0123456789abcdef0123456789abcdef";

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aiStudioKeyNeverLeaves() throws Exception {
        assertThat(GOOGLE_CANARY).hasSize(39);
        try (GeminiSimulator sim = faultySimulator()) {
            CapturedRun run = twoRuns("--provider", "aistudio",
                    "--set", "imagegen.provider.aistudio.apiKey=" + GOOGLE_CANARY,
                    "--set", "imagegen.provider.aistudio.baseUrl=" + sim.baseUri(),
                    "--set", "imagegen.provider.aistudio.maxConcurrency=4",
                    "--set", "imagegen.progress.interval=300ms");

            assertRunWasHostile(run, sim, true);
            assertNowhere(GOOGLE_CANARY, run, sim);
        }
    }

    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void gatewayKeyInACustomHeaderNeverLeaves() throws Exception {
        try (GeminiSimulator sim = faultySimulator();
             KeyEchoingGateway gateway = new KeyEchoingGateway(sim.baseUri(), GATEWAY_HEADER)) {
            CapturedRun run = twoRuns("--provider", "gateway",
                    "--set", "imagegen.provider.gateway.apiKey=" + GATEWAY_CANARY,
                    "--set", "imagegen.provider.gateway.authHeader=" + GATEWAY_HEADER,
                    "--set", "imagegen.provider.gateway.baseUrl=" + gateway.baseUri(),
                    "--set", "imagegen.provider.gateway.maxConcurrency=4",
                    "--set", "imagegen.progress.interval=300ms");

            assertRunWasHostile(run, sim, true);
            assertThat(run.output()).as("header dumps of the HTTP client").doesNotContain(GATEWAY_HEADER);
            assertNowhere(GATEWAY_CANARY, run, sim);
        }
    }

    /** OpenRouter wraps Google's answer, key and all, as a JSON string in error.metadata.raw. */
    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void openRouterKeyNeverLeaves() throws Exception {
        try (GeminiSimulator sim = faultySimulator()) {
            CapturedRun run = twoRuns("--provider", "openrouter",
                    "--set", "imagegen.provider.openrouter.apiKey=" + OPENROUTER_CANARY,
                    "--set", "imagegen.provider.openrouter.baseUrl=" + sim.baseUri(),
                    "--set", "imagegen.provider.openrouter.maxConcurrency=4",
                    "--set", "imagegen.progress.interval=300ms");

            assertRunWasHostile(run, sim, false);
            assertNowhere(OPENROUTER_CANARY, run, sim);
        }
    }

    /** A parse error quotes the file's text; a key pasted into a prompt file must not reach the note or the log. */
    @Test
    @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void keyPastedIntoABrokenPromptFileIsNotQuotedInTheRefusal() throws Exception {
        Path inbox = Files.createDirectories(root.resolve("inbox"));
        Files.writeString(inbox.resolve("google.json"), "[{\"prompt\": \"a cat\", \"apiKey\": " + GOOGLE_CANARY + "}]\n");
        Files.writeString(inbox.resolve("gateway.json"), "[{\"prompt\": " + GATEWAY_CANARY + "}]\n");
        CapturedRun run;
        try (GeminiSimulator sim = faultySimulator()) {
            run = CapturedRun.execute("--once", "--debug", "--inbox", inbox.toString(),
                    "--outbox", root.resolve("outbox").toString(), "--provider", "simulator",
                    "--set", "imagegen.provider.simulator.baseUrl=" + sim.baseUri(),
                    "--set", "imagegen.provider.simulator.apiKey=" + GATEWAY_CANARY,
                    "--set", "imagegen.inbox.stableMillis=50", "--set", "imagegen.inbox.pollDelayMillis=50");
        }
        assertThat(run.exitCode()).isEqualTo(2);
        for (String file : List.of("google.json", "gateway.json")) {
            String note = Files.readString(inbox.resolve(".failed/" + file + ".error.txt"));
            assertThat(note).contains("is not valid JSON");
            if (file.equals("google.json")) {
                assertThat(note).as("Jackson quotes the whole key token here").contains("Unrecognized token '***'");
            }
            // the refused file itself is the user's and keeps its text; everything written about it must not
            Files.delete(inbox.resolve(".failed/" + file));
        }
        assertNowhere(GOOGLE_CANARY, run, null);
        assertNowhere(GATEWAY_CANARY, run, null);
    }

    @Test
    void keyInABaseUrlIsRefusedWithoutQuotingIt() throws Exception {
        Path inbox = Files.createDirectories(root.resolve("inbox"));
        CapturedRun run = CapturedRun.execute("--once", "--debug",
                "--inbox", inbox.toString(), "--outbox", root.resolve("outbox").toString(),
                "--provider", "gateway",
                "--set", "imagegen.provider.gateway.baseUrl=http://127.0.0.1:9/gw?key=" + GATEWAY_CANARY);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.output()).contains("imagegen.provider.gateway.baseUrl").contains("apiKey");
        assertNowhere(GATEWAY_CANARY, run, null);
    }

    @Test
    void keyPastedAsAnArgumentIsNotQuotedInTheUsageError() throws Exception {
        for (String[] args : List.of(new String[] {"--once", "--set", GOOGLE_CANARY},
                new String[] {"--once", "--api-key", GOOGLE_CANARY},
                new String[] {"--once", "--set", "imagegen.provider.aistudio.apiKey", GOOGLE_CANARY})) {
            CapturedRun run = CapturedRun.execute(args);
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.output()).contains("See --help");
            assertNowhere(GOOGLE_CANARY, run, null);
        }
    }

    private static GeminiSimulator faultySimulator() throws IOException {
        // Faults by marker only: random ones would open the circuit breaker now and then and leave work pending.
        return GeminiSimulator.start(SimulatorOptions.builder().port(0).build());
    }

    /**
     * First run: items that meet every fault once and items that never succeed. Second run: an item
     * whose answer echoes the key, which takes the provider out and leaves the other item pending (in
     * a run of its own, because it would stop the first file's items half-way).
     */
    private CapturedRun twoRuns(String... providerArgs) throws IOException {
        Path inbox = Files.createDirectories(root.resolve("inbox"));
        List<String> args = new ArrayList<>(List.of("--once", "--debug",
                "--inbox", inbox.toString(), "--outbox", root.resolve("outbox").toString(),
                "--set", "imagegen.inbox.stableMillis=50",
                "--set", "imagegen.inbox.pollDelayMillis=50",
                "--set", "imagegen.retry.maxAttempts=2"));
        args.addAll(List.of(providerArgs));
        dropFaults(inbox);
        CapturedRun first = withHttpClientDebug(() -> CapturedRun.execute(args.toArray(String[]::new)));
        // 2: some items failed; 3: now and then the provider's circuit breaker opens on the burst of
        // server errors and leaves items pending, which changes nothing about what must not leak.
        assertThat(first.exitCode()).as("first run: some items failed").isIn(2, 3);
        dropSuspended(inbox);
        CapturedRun second = withHttpClientDebug(() -> CapturedRun.execute(args.toArray(String[]::new)));
        assertThat(second.exitCode()).as("second run: credentials refused with work left").isEqualTo(1);
        return new CapturedRun(second.exitCode(), first.output() + second.output(), first.millis() + second.millis());
    }

    static void dropSuspended(Path inbox) throws IOException {
        Files.write(inbox.resolve("b-suspended.jsonl"), List.of(
                "{\"id\":\"echo\",\"prompt\":\"a bird [sim:403]\"}",
                "{\"id\":\"after\",\"prompt\":\"another bird [sim:latency=300]\"}"));
    }

    static void dropFaults(Path inbox) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 16; i++) {
            lines.add("{\"id\":\"plain-" + i + "\",\"prompt\":\"a canary in a coal mine, take " + i + "\"}");
        }
        for (String fault : List.of("500x1", "503x1", "resetx1", "truncatex1", "malformedx1",
                "500", "malformed", "400", "safety", "text_only")) {
            lines.add("{\"id\":\"fault-" + fault + "\",\"prompt\":\"a yellow bird [sim:" + fault + "]\"}");
        }
        Files.write(inbox.resolve("a-faults.jsonl"), lines);
    }

    /** The run ended by itself and really met the faults and the echo (else the search proves little). */
    private void assertRunWasHostile(CapturedRun run, GeminiSimulator sim, boolean echoInMessage) throws IOException {
        JsonNode faults = sim.stats().path("faults");
        assertThat(faults.path("403").asInt()).as("key-echoing answers").isPositive();
        assertThat(faults.path("malformed").asInt() + faults.path("truncate").asInt()).isPositive();
        assertThat(run.output()).contains("DEBUG");
        String echoed = String.join("\n", Files.readAllLines(root.resolve("outbox").resolve("b-suspended").resolve("manifest.jsonl")));
        if (echoInMessage) {
            assertThat(echoed).as("the echoed key arrives masked in the manifest").contains("api_key:***");
        } else {
            assertThat(echoed).as("the provider is refused in the manifest").contains("credentials refused");
        }
        assertThat(faults.path("500").asInt()).as("server errors").isPositive();
        assertThat(Files.readString(root.resolve("outbox").resolve("a-faults").resolve("manifest.jsonl")))
                .as("fault outcomes in the manifest").contains("\"status\":\"failed\"");
    }

    private void assertNowhere(String canary, CapturedRun run, GeminiSimulator sim) throws IOException {
        assertNowhere(canary, root, run.output().getBytes(StandardCharsets.UTF_8), sim);
    }

    /** Searches the console bytes, every file under root and the simulator's stats for every form of the canary. */
    static void assertNowhere(String canary, Path root, byte[] console, GeminiSimulator sim) throws IOException {
        Map<String, byte[]> written = new LinkedHashMap<>();
        written.put("console output", console);
        if (sim != null) {
            written.put("simulator /sim/stats", JSON.writeValueAsBytes(sim.stats()));
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                written.put(root.relativize(file).toString(), Files.readAllBytes(file));
            }
        }
        assertThat(written).hasSizeGreaterThan(sim == null ? 0 : 20);
        List<String> forms = forms(canary);
        List<String> leaks = new ArrayList<>();
        written.forEach((where, bytes) -> {
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            for (String form : forms) {
                if (text.contains(form)) {
                    leaks.add(where + " contains " + form);
                }
            }
        });
        assertThat(leaks).as("places the canary reached").isEmpty();
    }

    /** The key, URL-encoded, and the alignment-independent middle of its base64 (standard and URL-safe) at offsets 0..2. */
    static List<String> forms(String canary) {
        List<String> forms = new ArrayList<>(List.of(canary, URLEncoder.encode(canary, StandardCharsets.UTF_8)));
        for (int offset = 0; offset < 3; offset++) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.writeBytes(new byte[offset]);
            bytes.writeBytes(canary.getBytes(StandardCharsets.UTF_8));
            for (Base64.Encoder encoder : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
                String encoded = encoder.withoutPadding().encodeToString(bytes.toByteArray());
                forms.add(encoded.substring(offset == 0 ? 0 : 4, encoded.length() - 4));
            }
        }
        return forms;
    }

    /** The HTTP client's own debug loggers on, as a user chasing a problem would set them. */
    private static CapturedRun withHttpClientDebug(java.util.function.Supplier<CapturedRun> body) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ch.qos.logback.classic.Logger hc = context.getLogger("org.apache.hc");
        Level before = hc.getLevel();
        hc.setLevel(Level.DEBUG);
        try {
            return body.get();
        } finally {
            hc.setLevel(before);
        }
    }
}
