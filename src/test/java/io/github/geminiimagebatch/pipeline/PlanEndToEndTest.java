package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.cli.GeminiImageBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** `plan` on the real command line next to a simulator: it sees what is done, prints the figures and sends nothing. */
class PlanEndToEndTest {

    @TempDir
    Path tmp;

    @Test
    void planCountsWhatIsAlreadyMadeAndSendsNothing() throws Exception {
        try (Harness h = Harness.start(tmp)) {
            h.drop("first.txt", "prompt 1\nprompt 2\n");
            assertThat(h.runOnce()).isZero();
            assertThat(h.requests()).isEqualTo(2);
            h.drop("big.txt", IntStream.rangeClosed(1, 3000).mapToObj(i -> "prompt " + i)
                    .collect(Collectors.joining("\n")) + "\n");

            String out = plan(h, "--provider", "simulator",
                    "--outbox", h.outbox.toString(),
                    "--set", "imagegen.provider.simulator.baseUrl=" + h.simulator.baseUri(),
                    "--set", "imagegen.provider.simulator.limits=10/min,1500/day",
                    "--set", "imagegen.provider.simulator.price.1K=0.05",
                    "plan", "--inbox", h.inbox.toString());

            assertThat(out).contains("1 prompt file(s), 3000 items, 2 already done, 0 duplicate(s), 0 invalid, 2998 to generate")
                    .contains("big.txt -> batch big: 3000 items, 2 done")
                    .containsPattern("simulator \\(10/min,1500/day\\): 2998 images need 1d\\d\\dh\\d\\dm \\(needs [23] days at 1500/day\\)")
                    .contains("149.90 USD")
                    .contains("Nothing was sent.");
            assertThat(h.requests()).as("plan sends nothing").isEqualTo(2);
            assertThat(h.inbox.resolve("big.txt")).exists();
        }
    }

    private static String plan(Harness h, String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            assertThat(GeminiImageBatch.execute(args)).isZero();
        } finally {
            System.setOut(original);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
