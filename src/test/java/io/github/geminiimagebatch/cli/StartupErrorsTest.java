package io.github.geminiimagebatch.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Configuration and start-up problems end with exit code 1 and one paragraph, never a stack trace. */
class StartupErrorsTest {

    @TempDir
    Path tmp;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void captureStderr() {
        originalErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStderr() {
        System.setErr(originalErr);
    }

    private int run(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--inbox";
        all[1] = tmp.resolve("inbox").toString();
        all[2] = "--outbox";
        all[3] = tmp.resolve("outbox").toString();
        System.arraycopy(args, 0, all, 4, args.length);
        return GeminiImageBatch.execute(all);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void unknownProviderNamesTheSettingToFix() {
        assertThat(run("--once", "--provider", "nosuch")).isEqualTo(1);
        assertThat(stderr()).contains("nosuch").contains("imagegen.provider.nosuch.type").doesNotContain("\tat ");
    }

    @Test
    void badLimitSyntaxIsExplained() {
        assertThat(run("--once", "--provider", "simulator", "--set", "imagegen.provider.simulator.baseUrl=http://127.0.0.1:9",
                "--set", "imagegen.provider.simulator.limits=10/mn")).isEqualTo(1);
        assertThat(stderr()).contains("imagegen.provider.simulator.limits").contains("10/mn").doesNotContain("\tat ");
    }

    @Test
    void aiStudioWithoutKeySaysWhereTheKeyGoes() {
        assertThat(run("--once", "--provider", "aistudio")).isEqualTo(1);
        assertThat(stderr()).contains("GEMINI_API_KEY");
    }

    @Test
    void outboxThatIsAFileIsRefused() throws Exception {
        Files.writeString(tmp.resolve("outbox"), "not a folder");
        assertThat(run("--once")).isEqualTo(1);
        assertThat(stderr()).contains("outbox").doesNotContain("\tat ");
    }

    @Test
    void aWorkQueueOnAComponentTheJarDoesNotShipSaysWhichJarToPutIntoLib() throws Exception {
        Files.createDirectories(tmp.resolve("inbox"));
        assertThat(run("--once", "--set", "imagegen.work.uri=kafka:gemini-image-items?brokers=127.0.0.1:9",
                "--set", "camel.management.enabled=false")).isEqualTo(1);
        assertThat(stderr()).contains("imagegen.work.uri", "no Camel component for 'kafka:'",
                "org.apache.camel:camel-kafka:", "into lib/ next to bin/").doesNotContain("\tat ");
    }

    @Test
    void aUsersOwnRouteOnAComponentTheJarDoesNotShipGetsTheSameAdvice() throws Exception {
        Files.createDirectories(tmp.resolve("inbox"));
        Path route = tmp.resolve("to-kafka.camel.yaml");
        Files.writeString(route, """
                - route:
                    id: users-own
                    from:
                      uri: direct:users-own
                      steps:
                        - to: kafka:images?brokers=127.0.0.1:9
                """);
        assertThat(run("--once", "--set", "imagegen.routes.include=file:" + route,
                "--set", "camel.management.enabled=false")).isEqualTo(1);
        assertThat(stderr()).contains("could not start", "kafka://images", "no Camel component for 'kafka:'",
                "org.apache.camel:camel-kafka, of the bundle's Camel version", "into lib/ next to bin/").doesNotContain("\tat ");
    }

    @Test
    void missingConfigFileIsNamed() {
        assertThat(run("--once", "--config", tmp.resolve("nope.properties").toString())).isEqualTo(1);
        assertThat(stderr()).contains("nope.properties");
    }

    @Test
    void unknownFlagIsAUsageErrorWithExitOne() {
        assertThat(run("--frobnicate")).isEqualTo(1);
        assertThat(stderr()).contains("--frobnicate");
    }

    @Test
    void badNumberIsExplained() {
        assertThat(run("--once", "--set", "imagegen.concurrency=lots")).isEqualTo(1);
        assertThat(stderr()).contains("imagegen.concurrency").contains("lots");
    }
}
