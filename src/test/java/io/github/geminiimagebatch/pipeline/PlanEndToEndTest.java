package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.cli.GeminiImageBatch;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `plan` on the real command line next to a simulator: it sees what is done, prints the figures and
 * sends nothing. The plan depends on the hour (what is left of today's 1500/day), so it runs at fixed
 * instants in the reset zone, America/Los_Angeles: the expected figures are worked out by hand at
 * 6 s a request (10/min) and 1500 a day.
 */
class PlanEndToEndTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # plan at (Los Angeles)       | header time               | time needed | days | done about
            # afternoon: 1500 today (2.5 h), then 1498 after midnight
            2026-06-10T14:00-07:00        | Wed 2026-06-10 14:00 PDT  | 12h29m      | 2    | Thu 2026-06-11 02:29 PDT
            # two minutes before midnight: 20 today, 1500 tomorrow, 1478 the day after
            2026-01-15T23:58-08:00        | Thu 2026-01-15 23:58 PST  | 1d02h29m    | 3    | Sat 2026-01-17 02:27 PST
            # just after midnight: a whole day waits after the first 1500
            2026-01-16T00:01-08:00        | Fri 2026-01-16 00:01 PST  | 1d02h28m    | 2    | Sat 2026-01-17 02:29 PST
            # the 23-hour day when clocks go forward: one hour less to wait
            2026-03-08T00:01-08:00        | Sun 2026-03-08 00:01 PST  | 1d01h28m    | 2    | Mon 2026-03-09 02:29 PDT
            # the 25-hour day when clocks go back: one hour more to wait
            2026-11-01T00:01-07:00        | Sun 2026-11-01 00:01 PDT  | 1d03h28m    | 2    | Mon 2026-11-02 02:29 PST
            """)
    void planCountsWhatIsAlreadyMadeAndSendsNothing(String at, String header, String needs, int days, String doneAbout)
            throws Exception {
        try (Harness h = Harness.start(tmp)) {
            h.drop("first.txt", "prompt 1\nprompt 2\n");
            assertThat(h.runOnce()).isZero();
            assertThat(h.requests()).isEqualTo(2);
            h.drop("big.txt", IntStream.rangeClosed(1, 3000).mapToObj(i -> "prompt " + i)
                    .collect(Collectors.joining("\n")) + "\n");

            Clock planClock = Clock.fixed(ZonedDateTime.parse(at).toInstant(), ZoneOffset.UTC);
            String out = plan(planClock, "--provider", "simulator",
                    "--outbox", h.outbox.toString(),
                    "--set", "imagegen.provider.simulator.baseUrl=" + h.simulator.baseUri(),
                    "--set", "imagegen.provider.simulator.limits=10/min,1500/day",
                    "--set", "imagegen.provider.simulator.price.1K=0.05",
                    "plan", "--inbox", h.inbox.toString());

            assertThat(out).contains(" at " + header + ": ")
                    .contains("1 prompt file(s), 3000 items, 2 already done, 0 duplicate(s), 0 invalid, 2998 to generate")
                    .contains("big.txt -> batch big: 3000 items, 2 done")
                    .contains("simulator (10/min,1500/day): 2998 images need " + needs
                            + " (needs " + days + " days at 1500/day), done about " + doneAbout + "; 149.90 USD")
                    .contains("Nothing was sent.");
            assertThat(h.requests()).as("plan sends nothing").isEqualTo(2);
            assertThat(h.inbox.resolve("big.txt")).exists();
        }
    }

    private static String plan(Clock clock, String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            assertThat(GeminiImageBatch.execute(clock, args)).isZero();
        } finally {
            System.setOut(original);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
