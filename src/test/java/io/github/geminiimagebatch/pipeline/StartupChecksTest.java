package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.cli.GeminiImageBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/** What a service that nobody watches must not do silently: typos in settings and folders, a taken health port, private images. */
class StartupChecksTest {

    @TempDir
    Path tmp;

    private Harness h;

    @BeforeEach
    void start() throws Exception {
        h = Harness.start(tmp);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void anUnknownSettingOnTheCommandLineIsAnErrorNamingTheClosestKnownOne() {
        String err = stderrOf(() -> assertThat(h.runOnce("--set", "imagegen.concurency=8")).isEqualTo(1));

        assertThat(err).contains("Unknown setting imagegen.concurency").contains("Did you mean imagegen.concurrency?")
                .contains("the command line");
        assertThat(h.requests()).isZero();
    }

    @Test
    void anUnknownSettingInAConfigFileOrAProviderLeafIsNamedToo() throws Exception {
        Path config = Files.writeString(tmp.resolve("my.properties"), "imagegen.output.retryfor=5s\n");
        String err = stderrOf(() -> assertThat(h.runOnce("--config", config.toString())).isEqualTo(1));
        assertThat(err).contains("Unknown setting imagegen.output.retryfor").contains("Did you mean imagegen.output.retryFor?")
                .contains(config.toString());

        String leaf = stderrOf(() -> assertThat(h.runOnce("--set", "imagegen.provider.simulator.maxConcurency=2")).isEqualTo(1));
        assertThat(leaf).contains("Did you mean imagegen.provider.simulator.maxConcurrency?");
    }

    @Test
    void onceWithAMissingInboxIsAnErrorNamingTheFolderAndCreatesNothing() {
        Path typo = tmp.resolve("inbx");
        String err = stderrOf(() -> assertThat(GeminiImageBatch.execute("--once", "--inbox", typo.toString(),
                "--outbox", h.outbox.toString(), "--provider", "simulator",
                "--set", "imagegen.provider.simulator.baseUrl=" + h.simulator.baseUri(),
                "--set", "camel.management.enabled=false")).isEqualTo(1));

        assertThat(err).contains("The inbox folder " + typo.toAbsolutePath() + " does not exist");
        assertThat(typo).doesNotExist();
    }

    @Test
    void aServiceWhoseHealthPortIsTakenDoesNotStartAndSaysWhichSettingToChange() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            String err = stderrOf(() -> assertThat(GeminiImageBatch.execute("--inbox", h.inbox.toString(),
                    "--outbox", h.outbox.toString(), "--provider", "simulator",
                    "--set", "imagegen.provider.simulator.baseUrl=" + h.simulator.baseUri(),
                    "--set", "camel.management.port=" + taken.getLocalPort())).isEqualTo(1));

            assertThat(err).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .contains("set camel.management.port to a free port");
        }
    }

    @Test
    void aHealthPortTakenWhileTheServiceStartsEndsItWithTheSameOneLineBeforeItTakesWorkAndNoBareVertxLines() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket()) {
            free.bind(new InetSocketAddress("127.0.0.1", 0));
            port = free.getLocalPort();
        }
        h.drop("owls.txt", "an owl\n");
        try (PortTakenAfterCheck squatter = PortTakenAfterCheck.attach(port)) {
            String err = stderrOf(() -> assertThat(GeminiImageBatch.execute("--inbox", h.inbox.toString(),
                    "--outbox", h.outbox.toString(), "--provider", "simulator",
                    "--set", "imagegen.provider.simulator.baseUrl=" + h.simulator.baseUri(),
                    "--set", "camel.management.port=" + port)).isEqualTo(1));

            assertThat(squatter.took()).as("the port was taken after the check found it free").isTrue();
            assertThat(err.strip()).contains("cannot listen on 127.0.0.1:" + port)
                    .contains("set camel.management.port to a free port").doesNotContain("\n");
            assertThat(squatter.lines()).noneMatch(line -> line.startsWith("ERROR"))
                    .noneMatch(line -> line.contains("Unhandled exception") || line.contains("Failed to start Vert.x"));
            assertThat(h.requests()).as("no route started, no work taken").isZero();
            assertThat(h.inbox.resolve("owls.txt")).exists();
        }
    }

    @Test
    void imagesHonourTheUmaskLikeSidecars() throws Exception {
        h.drop("gulls.txt", "a gull\n");

        assertThat(h.runOnce()).isZero();

        Path image = h.outbox.resolve("gulls/0001.png");
        Path fresh = Files.createFile(tmp.resolve("made-with-the-umask"));
        String expected = PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(image))).isEqualTo(expected);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(h.outbox.resolve("gulls/0001.json"))))
                .isEqualTo(expected);
    }

    private static String stderrOf(Runnable run) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            run.run();
        } finally {
            System.setErr(original);
        }
        return err.toString(StandardCharsets.UTF_8);
    }
}
