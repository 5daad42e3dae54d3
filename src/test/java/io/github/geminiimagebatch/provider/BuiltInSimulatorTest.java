package io.github.geminiimagebatch.provider;

import io.github.geminiimagebatch.cli.GeminiImageBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** With no simulator address configured the bundle starts its own simulator and says so in one loud line. */
class BuiltInSimulatorTest {

    @TempDir
    Path tmp;

    @Test
    void theSimulatorProviderStartsTheBuiltInSimulatorAndSaysSo() throws Exception {
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        Files.writeString(inbox.resolve("hello.txt"), "a lighthouse at dusk\n");
        try (LogCapture log = LogCapture.attach()) {
            int exit = GeminiImageBatch.execute("--once", "--inbox", inbox.toString(), "--outbox", tmp.resolve("outbox").toString(),
                    "--provider", "simulator", "--set", "imagegen.simulator.latencyMs=0",
                    "--set", "imagegen.inbox.stableMillis=100", "--set", "camel.management.enabled=false");

            assertThat(exit).isZero();
            assertThat(log.lines()).filteredOn(l -> l.contains("BUILT-IN SIMULATOR")).singleElement()
                    .satisfies(l -> assertThat(l).contains("http://127.0.0.1:", "nothing is billed"));
        }
        assertThat(tmp.resolve("outbox/hello/0001.png")).isRegularFile();
        assertThat(inbox.resolve(".done/hello.txt")).exists();
    }
}
