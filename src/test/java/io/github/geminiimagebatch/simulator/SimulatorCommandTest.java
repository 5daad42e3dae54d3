package io.github.geminiimagebatch.simulator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatorCommandTest {

    @TempDir
    Path dir;

    private SimulatorOptions parse(String... args) throws IOException {
        SimulatorCommand command = new SimulatorCommand();
        new CommandLine(command).parseArgs(args);
        return command.options();
    }

    @Test
    void flagsBecomeOptions() throws IOException {
        Path keys = Files.writeString(dir.resolve("keys.txt"), "# accepted\nkey-a\n\nkey-b\n");
        SimulatorOptions options = parse("--port", "0", "--rpm", "10", "--rpd", "1500", "--ipm", "5", "--minute", "6s",
                "--day", "10m", "--reset-zone", "UTC", "--latency-ms", "300,50", "--slowdown", "--faults", "503=0.05,reset=0.01",
                "--seed", "7", "--stall-ms", "500", "--image-mode", "noise", "--image-format", "PNG", "--thought-images",
                "--quota-style", "bare", "--models", "gemini-3-pro-image,google/gemini-2.5-flash-image", "--accept-keys-file", keys.toString(), "--token-ttl", "2m",
                "--outage", "503:10s+10s", "--outage", "500:1m+500ms,429:0s+1s");
        assertThat(options.port()).isZero();
        assertThat(options.quotaLimits()).isEqualTo(new QuotaLimits(10, 1500, 5, Duration.ofSeconds(6), Duration.ofMinutes(10), ZoneId.of("UTC")));
        assertThat(options.latencyMillis()).isEqualTo(300);
        assertThat(options.latencyJitterMillis()).isEqualTo(50);
        assertThat(options.slowdownPerInFlight()).isEqualTo(0.1);
        assertThat(options.faultRates()).containsEntry(FaultKind.UNAVAILABLE, 0.05).containsEntry(FaultKind.RESET, 0.01);
        assertThat(options.seed()).isEqualTo(7);
        assertThat(options.stallMillis()).isEqualTo(500);
        assertThat(options.imageMode()).isEqualTo(ImageMode.NOISE);
        assertThat(options.thoughtImages()).isTrue();
        assertThat(options.quotaStyle()).isEqualTo(QuotaStyle.BARE);
        assertThat(options.acceptedKeys()).containsExactly("key-a", "key-b");
        assertThat(options.tokenTtl()).isEqualTo(Duration.ofMinutes(2));
        assertThat(options.models()).containsExactly("gemini-3-pro-image", "gemini-2.5-flash-image");
        assertThat(options.outages()).containsExactly(
                new Outage(FaultKind.UNAVAILABLE, Duration.ofSeconds(10), Duration.ofSeconds(10)),
                new Outage(FaultKind.INTERNAL, Duration.ofMinutes(1), Duration.ofMillis(500)),
                new Outage(FaultKind.RESOURCE_EXHAUSTED, Duration.ZERO, Duration.ofSeconds(1)));
        assertThat(options.summary()).contains("outages=503:10s+10s,500:60s+500ms,429:0ms+1s");
    }

    @Test
    void defaultsAreGooglesRealWindowsAndNoLimits() throws IOException {
        SimulatorOptions options = parse();
        assertThat(options.port()).isEqualTo(8089);
        assertThat(options.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(options.quotaLimits()).isEqualTo(SimulatorOptions.defaults().quotaLimits());
        assertThat(options.quotaLimits().resetZone()).isEqualTo(ZoneId.of("America/Los_Angeles"));
        assertThat(options.quotaLimits().dayLength()).isNull();
        assertThat(options.slowdownPerInFlight()).isZero();
    }

    @Test
    void badValuesGiveAUsageErrorNamingTheFlag() {
        StringWriter err = new StringWriter();
        int exitCode = new CommandLine(new SimulatorCommand()).setErr(new PrintWriter(err)).execute("--image-mode", "sparkly");
        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString()).contains("--image-mode 'sparkly' is not one of: flat, noise");

        StringWriter latencyErr = new StringWriter();
        new CommandLine(new SimulatorCommand()).setErr(new PrintWriter(latencyErr)).execute("--latency-ms", "fast");
        assertThat(latencyErr.toString()).contains("--latency-ms takes milliseconds");
    }

    @Test
    void busyPortIsAOneLineStartUpError() throws IOException {
        try (GeminiSimulator running = GeminiSimulator.start(SimulatorOptions.defaults())) {
            StringWriter err = new StringWriter();
            int exitCode = new CommandLine(new SimulatorCommand()).setErr(new PrintWriter(err))
                    .execute("--port", Integer.toString(running.port()));
            assertThat(exitCode).isEqualTo(1);
            assertThat(err.toString()).startsWith("The simulator could not start: Cannot listen on 127.0.0.1:" + running.port())
                    .contains("choose another port");
        }
    }

    @Test
    void missingServiceAccountFileIsAOneLineStartUpError() {
        StringWriter err = new StringWriter();
        int exitCode = new CommandLine(new SimulatorCommand()).setErr(new PrintWriter(err))
                .execute("--port", "0", "--service-account", dir.resolve("missing.json").toString());
        assertThat(exitCode).isEqualTo(1);
        assertThat(err.toString()).contains("Cannot read the service-account file").contains("missing.json");
    }

    @Test
    void helpListsEveryOption() {
        String usage = new CommandLine(new SimulatorCommand()).getUsageMessage();
        for (String option : new String[] {"--port", "--rpm", "--rpd", "--ipm", "--minute", "--day", "--reset-zone", "--latency-ms",
                "--slowdown", "--faults", "--seed", "--stall-ms", "--image-mode", "--image-format", "--thought-images",
                "--quota-style", "--models", "--accept-key", "--service-account", "--token-ttl"}) {
            assertThat(usage).contains(option);
        }
    }
}
