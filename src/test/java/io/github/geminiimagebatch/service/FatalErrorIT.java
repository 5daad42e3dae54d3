package io.github.geminiimagebatch.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.geminiimagebatch.simulator.GeminiSimulator;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An OutOfMemoryError in an item thread of the service (a real JVM: the packaged jar plus a test route
 * template that throws what the prompt names) ends the process with exit 70 and one clear line; the run a
 * supervisor would start next finishes the file without paying again for what was stored.
 */
class FatalErrorIT {

    @TempDir
    Path tmp;

    @Test
    void outOfMemoryInAnItemThreadEndsTheProcessForItsSupervisorAndTheRestartLosesNothing() throws Exception {
        Path jar = Path.of(System.getProperty("imagegen.jar", "target/gemini-image-batch.jar")).toAbsolutePath();
        Path testClasses = Path.of("target/test-classes").toAbsolutePath();
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        Path outbox = tmp.resolve("outbox");
        Files.writeString(tmp.resolve("p.part"), "first light\nsecond light\nheavy [throw:OutOfMemoryError]\nfourth light\n");
        Files.move(tmp.resolve("p.part"), inbox.resolve("lights.txt"));
        try (GeminiSimulator simulator = GeminiSimulator.start(SimulatorOptions.builder().port(0).build())) {
            List<String> service = command(jar + File.pathSeparator + testClasses, inbox, outbox,
                    "--provider", "erring",
                    "--set", "imagegen.provider.erring.type=simulator",
                    "--set", "imagegen.provider.erring.baseUrl=" + simulator.baseUri(),
                    "--set", "imagegen.provider.erring.routeTemplate=erring-gemini-api",
                    "--set", "imagegen.routes.include=classpath:service/erring-gemini-api.camel.yaml");
            Process crashed = new ProcessBuilder(service).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("service.log").toFile()).start();
            assertThat(crashed.waitFor(90, TimeUnit.SECONDS)).as("the service ends itself").isTrue();
            String log = Files.readString(tmp.resolve("service.log"));

            assertThat(crashed.exitValue()).as(log).isEqualTo(70);
            assertThat(log).contains("fatal OutOfMemoryError in an item thread; the JVM is not safe to run on,"
                    + " so the process ends now (exit 70)");
            assertThat(inbox.resolve("lights.txt")).exists();
            assertThat(outbox.resolve("lights/0001.png")).exists();
            assertThat(outbox.resolve("lights/0002.png")).exists();

            List<String> restart = command(jar.toString(), inbox, outbox, "--once", "--provider", "simulator",
                    "--set", "imagegen.provider.simulator.baseUrl=" + simulator.baseUri());
            Process again = new ProcessBuilder(restart).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("restart.log").toFile()).start();
            assertThat(again.waitFor(90, TimeUnit.SECONDS)).isTrue();

            assertThat(again.exitValue()).as(Files.readString(tmp.resolve("restart.log"))).isZero();
            assertThat(inbox.resolve(".done/lights.txt")).exists();
            List<JsonNode> manifest = ServiceFiles.jsonLines(outbox.resolve("lights/manifest.jsonl"));
            assertThat(manifest).extracting(l -> l.get("status").asText()).containsExactly("skipped", "skipped", "ok", "ok");
            JsonNode billed = simulator.stats().path("billedByPrompt");
            assertThat(billed.path("first light").asLong()).isEqualTo(1);
            assertThat(billed.path("second light").asLong()).isEqualTo(1);
            assertThat(billed.path("fourth light").asLong()).isEqualTo(1);
        }
    }

    private List<String> command(String classpath, Path inbox, Path outbox, String... more) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", classpath, "io.github.geminiimagebatch.cli.GeminiImageBatch",
                "--inbox", inbox.toString(), "--outbox", outbox.toString(),
                "--set", "imagegen.concurrency=1",
                "--set", "imagegen.inbox.stableMillis=100",
                "--set", "imagegen.inbox.pollDelayMillis=100",
                "--set", "camel.management.enabled=false"));
        command.addAll(List.of(more));
        return command;
    }
}
