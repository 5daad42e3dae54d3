package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.simulator.SimulatorOptions;
import io.github.geminiimagebatch.testing.ShiftableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Server errors met while the provider is already held back as overloaded are the provider's state,
 * not the item's. Two items, {@code maxAttempts=3}, 503s to everything for the first seconds of the
 * run: their first two failures each are their own (4 in a row make the provider overloaded), the
 * failed probes after that are not, so both are made when the outage ends, one or both after more
 * than three attempts. Counting every failure, the third would have failed them as retries_exhausted.
 */
class OverloadedAttemptsEndToEndTest {

    private static final int OUTAGE_AT = 1000;
    private static final int PROMPTS = 2;
    private static final int MAX_ATTEMPTS = 3;

    @TempDir
    Path tmp;

    @Test
    void failedProbesDuringAnOutageDoNotUseUpTheItemsAttempts() throws Exception {
        ShiftableClock clock = new ShiftableClock();
        Instant started = clock.instant();
        try (Harness h = new Harness(tmp, SimulatorOptions.builder().port(0).clock(clock).latency(50, 0)
                .outages("503:" + OUTAGE_AT + "s+8s").build())) {
            h.drop("blip.txt", IntStream.rangeClosed(1, PROMPTS).mapToObj(i -> "blip prompt " + i)
                    .collect(Collectors.joining("\n", "", "\n")));
            // the simulator's clock jumps to the outage's start just before the run (which starts within 1-5 s)
            clock.shiftBy(Duration.ofSeconds(OUTAGE_AT).minus(Duration.between(started, clock.instant())));

            assertThat(h.runOnce("--set", "imagegen.retry.maxAttempts=" + MAX_ATTEMPTS,
                    "--set", "imagegen.concurrency=2", "--set", "imagegen.provider.simulator.maxConcurrency=2")).as("exit code").isZero();

            List<Integer> attempts = new ArrayList<>();
            for (int i = 1; i <= PROMPTS; i++) {
                attempts.add(h.json(h.outbox.resolve("blip").resolve(String.format("%04d.json", i))).path("attempts").asInt());
            }
            assertThat(h.json(h.outbox.resolve("blip").resolve("report.json")).path("totals").path("ok").asInt())
                    .as("every item made").isEqualTo(PROMPTS);
            assertThat(attempts).as("attempts per item: some item was sent more often than maxAttempts allows")
                    .anySatisfy(a -> assertThat(a).isGreaterThan(MAX_ATTEMPTS));
            assertThat(h.simulator.stats().path("faults").path("503").asLong())
                    .as("503s answered during the outage").isGreaterThan(2L * (MAX_ATTEMPTS - 1));
        }
    }
}
