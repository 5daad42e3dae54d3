package io.github.geminiimagebatch.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.geminiimagebatch.simulator.SimulatorOptions;
import io.github.geminiimagebatch.testing.ShiftableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real overload: the simulator answers 503 to everything for 4 s in the middle of a run. The
 * short version of bench/faults' 10 s outage. The outage is placed at 1000 s of simulator time,
 * and the simulator's clock jumps there once the run is going at full speed, so a slow start-up
 * on a loaded machine cannot shift it.
 */
class OutageEndToEndTest {

    private static final int OUTAGE_AT = 1000;
    private static final int OUTAGE_SECONDS = 4;
    private static final int PROMPTS = 800;

    @TempDir
    Path tmp;

    @Test
    void requestsFallToProbesDuringAnOutageAndThroughputComesBackWithinFiveSecondsAfterIt() throws Exception {
        ShiftableClock clock = new ShiftableClock();
        Instant started = clock.instant();
        try (Harness h = new Harness(tmp, SimulatorOptions.builder().port(0).clock(clock).latency(300, 0)
                .outages("503:" + OUTAGE_AT + "s+" + OUTAGE_SECONDS + "s").build())) {
            h.drop("burst.txt", IntStream.rangeClosed(1, PROMPTS).mapToObj(i -> "burst prompt " + i)
                    .collect(Collectors.joining("\n", "", "\n")));
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> h.runOnce(
                    "--set", "imagegen.concurrency=16", "--set", "imagegen.provider.simulator.maxConcurrency=16"));

            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50))
                    .until(() -> h.simulator.stats().path("imagesBilled").asLong() >= 120);
            // jump to the outage at a whole second, so the seconds before it are complete
            Duration sinceStart = Duration.between(started, clock.instant());
            Thread.sleep(1000 - sinceStart.toMillisPart());
            JsonNode before = h.simulator.stats().at("/timeline/images");
            int last = (int) Duration.between(started, clock.instant()).toSeconds() - 1;
            double ratePerSecond = (before.path(last).asLong() + before.path(last - 1).asLong()) / 2.0;
            clock.shiftBy(Duration.between(started, clock.instant()).minusSeconds(OUTAGE_AT).negated());

            assertThat(run.get(3, TimeUnit.MINUTES)).isZero();
            JsonNode timeline = h.simulator.stats().path("timeline");
            String shown = "images/s before " + ratePerSecond + "; from the outage on, requests/s "
                    + slice(timeline.path("requests")) + ", images/s " + slice(timeline.path("images"));
            for (int s = OUTAGE_AT + 1; s < OUTAGE_AT + OUTAGE_SECONDS; s++) {
                assertThat(timeline.path("requests").path(s).asLong()).as("requests in second %d: %s", s, shown)
                        .isLessThanOrEqualTo(2);
            }
            long best = 0;
            for (int s = OUTAGE_AT + OUTAGE_SECONDS; s < OUTAGE_AT + OUTAGE_SECONDS + 5; s++) {
                best = Math.max(best, timeline.path("images").path(s).asLong());
            }
            assertThat(best).as("best second within 5 s after the outage: %s", shown).isGreaterThanOrEqualTo((long) (0.9 * ratePerSecond));
            JsonNode report = h.json(h.outbox.resolve("burst").resolve("report.json"));
            assertThat(report.path("totals").path("ok").asInt()).as("every item made").isEqualTo(PROMPTS);
        }
    }

    private static String slice(JsonNode perSecond) {
        StringBuilder text = new StringBuilder();
        for (int s = OUTAGE_AT; s < perSecond.size(); s++) {
            text.append(text.length() == 0 ? "" : ",").append(perSecond.path(s).asLong());
        }
        return "[" + text + "]";
    }
}
