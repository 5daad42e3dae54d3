package io.github.geminiimagebatch.hostile;

import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The canary run of {@link SecretCanaryTest} with the packaged jar as a separate process and the key
 * in GEMINI_API_KEY, as a user runs it: everything the JVM prints (logback, picocli, the JVM's own
 * stderr, stack traces of any thread) is captured from the process's stdout and stderr.
 */
class SecretCanaryIT {

    @TempDir
    Path root;

    @Test
    void aiStudioKeyFromTheEnvironmentNeverLeavesTheProcess() throws Exception {
        Path jar = Path.of(System.getProperty("imagegen.jar", "target/gemini-image-batch.jar"));
        assertThat(jar).as("the packaged jar (failsafe runs after package)").isRegularFile();
        Path inbox = Files.createDirectories(root.resolve("inbox"));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (GeminiSimulator sim = GeminiSimulator.start(SimulatorOptions.builder().port(0).build())) {
            SecretCanaryTest.dropFaults(inbox);
            int first = run(jar, inbox, sim, console);
            assertThat(first).as("first run: failed items, or pending behind an open breaker").isIn(2, 3);
            SecretCanaryTest.dropSuspended(inbox);
            int second = run(jar, inbox, sim, console);
            assertThat(second).as("second run: credentials refused with work left").isEqualTo(1);

            assertThat(sim.stats().path("faults").path("403").asInt()).isPositive();
            String output = console.toString(StandardCharsets.UTF_8);
            assertThat(output).contains("DEBUG").contains("refused our credentials");
            assertThat(Files.readString(root.resolve("outbox/b-suspended/manifest.jsonl"))).contains("api_key:***");
            SecretCanaryTest.assertNowhere(SecretCanaryTest.GOOGLE_CANARY, root, console.toByteArray(), sim);
        }
    }

    private int run(Path jar, Path inbox, GeminiSimulator sim, ByteArrayOutputStream console)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar.toString(),
                "--once", "--debug", "--inbox", inbox.toString(), "--outbox", root.resolve("outbox").toString(),
                "--provider", "aistudio",
                "--set", "imagegen.provider.aistudio.baseUrl=" + sim.baseUri(),
                "--set", "imagegen.provider.aistudio.maxConcurrency=4",
                "--set", "imagegen.retry.maxAttempts=2",
                "--set", "imagegen.inbox.stableMillis=50",
                "--set", "imagegen.inbox.pollDelayMillis=50",
                "--set", "imagegen.progress.interval=300ms"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("GEMINI_API_KEY", SecretCanaryTest.GOOGLE_CANARY);
        Process process = builder.start();
        try (InputStream out = process.getInputStream()) {
            byte[] bytes = out.readAllBytes();
            console.writeBytes(bytes);
            System.out.write(bytes);
        }
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the process did not finish within 120 s");
        }
        return process.exitValue();
    }
}
