package io.github.geminiimagebatch.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.geminiimagebatch.provider.Budget;
import io.github.geminiimagebatch.testing.TickingClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The budget against the simulator over HTTP: exactly what fits is sent, the rest stays pending, exit 3. */
class BudgetEndToEndTest {

    @TempDir
    Path tmp;

    @Test
    void runBudgetSendsExactlyWhatFitsAndTheDailyBudgetSurvivesARestart() throws Exception {
        try (Harness h = Harness.start(tmp)) {
            // Early afternoon in the reset zone: the three runs and the spend file share one budget day
            // whatever the hour the suite runs at.
            h.clock = TickingClock.from(Instant.parse("2026-06-10T21:00:00Z"));
            h.drop("paid.txt", IntStream.rangeClosed(1, 7).mapToObj(i -> "paid prompt " + i)
                    .collect(Collectors.joining("\n")) + "\n");

            int first = h.runOnce("--set", "imagegen.provider.simulator.price.1K=0.05",
                    "--set", "imagegen.budget.maxUsd=0.15",
                    "--set", "imagegen.provider.simulator.maxConcurrency=8");

            assertThat(first).isEqualTo(RunState.EXIT_QUOTA_PENDING);
            assertThat(h.requests()).isEqualTo(3);
            List<JsonNode> manifest = h.manifest("paid");
            assertThat(manifest).filteredOn(l -> l.path("status").asText().equals("ok")).hasSize(3);
            assertThat(manifest).filteredOn(l -> l.path("status").asText().equals("pending"))
                    .hasSize(4)
                    .allSatisfy(l -> assertThat(l.path("reason").asText()).isEqualTo("budget"));
            assertThat(h.inbox.resolve("paid.txt")).exists();
            Path spend = Budget.spendFile(h.outbox.resolve(".state"), LocalDate.of(2026, 6, 10));
            assertThat(h.json(spend).path("spentUsd").asDouble()).isCloseTo(0.15, org.assertj.core.data.Offset.offset(1e-9));

            int second = h.runOnce("--set", "imagegen.provider.simulator.price.1K=0.05",
                    "--set", "imagegen.budget.maxUsdPerDay=0.15");

            assertThat(second).isEqualTo(RunState.EXIT_QUOTA_PENDING);
            assertThat(h.requests()).as("no request after a restart on the same day").isEqualTo(3);
            assertThat(Files.readString(h.outbox.resolve("paid").resolve("manifest.jsonl")))
                    .contains("imagegen.budget.maxUsdPerDay=0.15");

            int third = h.runOnce("--set", "imagegen.provider.simulator.price.1K=0.05",
                    "--set", "imagegen.budget.maxUsdPerDay=0.25");

            assertThat(third).isEqualTo(RunState.EXIT_QUOTA_PENDING);
            assertThat(h.requests()).as("a raised daily budget admits exactly two more").isEqualTo(5);
        }
    }
}
