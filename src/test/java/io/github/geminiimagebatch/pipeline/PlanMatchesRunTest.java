package io.github.geminiimagebatch.pipeline;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** `plan` says what the run then does: the same batch folders, the same done rule, no credentials needed. */
class PlanMatchesRunTest extends HarnessTest {

    @Test
    void filesSharingABaseNameArePlannedIntoTheFoldersTheRunWrites() throws Exception {
        h.drop("cats.txt", "a tabby\n");
        h.drop("cats.csv", "prompt\na calico\n");

        String plan = h.plan();
        assertThat(h.outbox.resolve("cats")).as("a plan claims nothing on disk").doesNotExist();
        assertThat(plan).contains("cats.csv -> batch cats: ");
        Matcher txt = Pattern.compile("cats\\.txt -> batch (cats-[0-9a-f]{6}): ").matcher(plan);
        assertThat(txt.find()).as(plan).isTrue();

        assertThat(h.runOnce()).isZero();

        try (Stream<Path> folders = Files.list(h.outbox)) {
            assertThat(folders.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")))
                    .containsExactlyInAnyOrder("cats", txt.group(1));
        }
        assertThat(h.json(h.outbox.resolve(txt.group(1)).resolve("0001.json")).path("prompt").asText())
                .isEqualTo("a tabby");
    }

    @Test
    void afterAnOfflineTrialThePlanForAKeylessRealProviderCountsThePlaceholdersAsWork() throws Exception {
        String prompts = "a lighthouse\na harbour\na ferry\n";
        h.drop("coast.txt", prompts);
        assertThat(h.runOnce()).isZero();
        assertThat(h.requests()).isEqualTo(3);

        h.drop("coast.txt", prompts);
        String plan = h.printed("--outbox", h.outbox.toString(), "--provider", "aistudio",
                "--set", "imagegen.provider.aistudio.limits=10/min,1000/24h",
                "plan", "--inbox", h.inbox.toString());
        assertThat(plan).as("no API key is needed to plan").contains("0 already done", "3 to generate")
                .contains("aistudio (10/min,1000/24h): 3 images need");

        assertThat(realRun()).isZero();
        assertThat(h.requests() - 3).as("the run sends what the plan said").isEqualTo(3);
        h.drop("coast.txt", prompts);
        assertThat(h.printed("--outbox", h.outbox.toString(), "--provider", "aistudio",
                "plan", "--inbox", h.inbox.toString())).contains("3 already done", "0 to generate");
    }

    /** AI Studio as a real provider would be used, at the simulator's address. */
    private int realRun() {
        return io.github.geminiimagebatch.cli.GeminiImageBatch.execute(h.clock, List.of("--once",
                "--inbox", h.inbox.toString(), "--outbox", h.outbox.toString(), "--provider", "aistudio",
                "--set", "imagegen.provider.aistudio.baseUrl=" + h.simulator.baseUri(),
                "--set", "imagegen.provider.aistudio.apiKey=test-key-not-secret",
                "--set", "imagegen.inbox.stableMillis=100", "--set", "imagegen.inbox.pollDelayMillis=100",
                "--set", "imagegen.progress.interval=1h",
                "--set", "camel.management.port=" + ObserveEndpointsTest.freePort()).toArray(String[]::new));
    }
}
