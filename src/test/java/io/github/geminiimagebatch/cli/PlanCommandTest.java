package io.github.geminiimagebatch.cli;

import io.github.geminiimagebatch.config.RunConfig;
import io.github.geminiimagebatch.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The plan's arithmetic on a fixed start time: counts, time under per-minute and per-day limits, cost, budget. */
class PlanCommandTest {

    private static final ZoneId LA = ZoneId.of("America/Los_Angeles");

    @TempDir
    Path tmp;

    @Test
    void threeThousandPromptsAtTenPerMinuteAndFifteenHundredPerDayNeedTwoDays() throws Exception {
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        Files.writeString(inbox.resolve("big.txt"), prompts("a prompt", 3000));
        RunConfig config = config(inbox, Map.of("imagegen.provider.simulator.limits", "10/min,1500/day",
                "imagegen.provider.simulator.price.1K", "0.05"));

        PlanCommand.Plan plan = PlanCommand.plan(config, at("2026-03-10T01:00"));

        assertThat(plan.toGenerate()).isEqualTo(3000);
        PlanCommand.ProviderPlan sim = plan.providers().get(0);
        // 1500 at one per 6 s (01:00-03:30), wait for midnight, 1500 more (00:00-02:30): 25h30m
        assertThat(sim.quota().timeNeeded()).isEqualTo(Duration.ofHours(25).plusMinutes(30));
        assertThat(sim.costUsd()).isEqualTo(150.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(PlanCommand.providerLine(sim)).isEqualTo("  simulator (10/min,1500/day): 3000 images need 1d01h30m"
                + " (needs 2 days at 1500/day), done about Wed 2026-03-11 02:30 PDT; 150.00 USD");
    }

    @Test
    void aBatchModeProviderIsPlannedBothWaysSideBySide() throws Exception {
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        Files.writeString(inbox.resolve("big.txt"), prompts("a prompt", 3000));
        RunConfig config = config(inbox, Map.of("imagegen.provider.simulator.limits", "10/min,1500/day",
                "imagegen.provider.simulator.price.1K", "0.05", "imagegen.provider.simulator.mode", "batch",
                "imagegen.provider.simulator.batch.maxItems", "1000", "imagegen.provider.simulator.batch.maxJobs", "2"));

        PlanCommand.ProviderPlan sim = PlanCommand.plan(config, at("2026-03-10T01:00")).providers().get(0);

        assertThat(PlanCommand.providerLine(sim)).isEqualTo("  simulator interactively (10/min,1500/day): 3000 images need 1d01h30m"
                + " (needs 2 days at 1500/day), done about Wed 2026-03-11 02:30 PDT; 150.00 USD");
        // 3 jobs of 1000, 2 at a time: two rounds of Google's 24 h target
        assertThat(PlanCommand.batchLine(sim).orElseThrow()).contains("  simulator in Batch API mode (configured): 3000 images in 3 job(s) of up to 1000,"
                + " 2 at a time, done within about 2d00h00m (Google's 24h target per job; jobs expire after 48h); 75.00 USD (half price)");
    }

    @Test
    void anInteractiveGeminiProviderShowsWhatBatchModeWouldCost() throws Exception {
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        Files.writeString(inbox.resolve("small.txt"), prompts("p", 30));
        RunConfig config = config(inbox, Map.of("imagegen.provider.simulator.price.1K", "0.10"));

        PlanCommand.ProviderPlan sim = PlanCommand.plan(config, at("2026-03-10T09:00")).providers().get(0);

        assertThat(PlanCommand.batchLine(sim).orElseThrow()).contains("(imagegen.provider.simulator.mode=batch): 30 images in 1 job(s) of up to 200")
                .contains("done within about 1d00h00m").contains("1.50 USD (half price)");
        assertThat(PlanCommand.providerLine(sim)).endsWith("3.00 USD");
    }

    @Test
    void startedLateInTheEveningTheSameWorkSpansThreeCalendarDays() throws Exception {
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        Files.writeString(inbox.resolve("big.txt"), prompts("a prompt", 3000));
        RunConfig config = config(inbox, Map.of("imagegen.provider.simulator.limits", "10/min,1500/day"));

        PlanCommand.ProviderPlan sim = PlanCommand.plan(config, at("2026-03-10T23:00")).providers().get(0);

        // 600 before midnight (one per 6 s), 1500 on the 11th, 900 on the 12th (00:00-01:30)
        assertThat(PlanCommand.providerLine(sim)).contains("needs 3 days at 1500/day")
                .contains("3000 images need 1d02h30m").contains("done about Thu 2026-03-12 01:30 PDT");
    }

    @Test
    void withinOneDayNoDaysAreMentioned() throws Exception {
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        Files.writeString(inbox.resolve("small.txt"), prompts("p", 30));
        RunConfig config = config(inbox, Map.of("imagegen.provider.simulator.limits", "10/min,1500/day"));

        String line = PlanCommand.providerLine(PlanCommand.plan(config, at("2026-03-10T09:00")).providers().get(0));

        assertThat(line).startsWith("  simulator (10/min,1500/day): 30 images need 3m00s, done about Tue 2026-03-10 09:03 PDT;")
                .doesNotContain("days");
    }

    @Test
    void duplicatesInvalidItemsAndModelsAreCountedPerBatchAndPricedPerModelAndSize() throws Exception {
        Path inbox = Files.createDirectories(tmp.resolve("inbox"));
        Files.writeString(inbox.resolve("a.txt"), "one\ntwo\none\n");
        Files.writeString(inbox.resolve("b.jsonl"), String.join("\n",
                "{\"prompt\":\"two\"}",
                "{\"prompt\":\"big\",\"imageSize\":\"2K\"}",
                "{\"prompt\":\"\"}") + "\n");
        Files.writeString(inbox.resolve("notes.md"), "not a prompt file");
        RunConfig config = config(inbox, Map.of("imagegen.provider.simulator.price.1K", "0.04",
                "imagegen.provider.simulator.price.2K", "0.10", "imagegen.budget.maxUsd", "0.10"));

        PlanCommand.Plan plan = PlanCommand.plan(config, at("2026-03-10T09:00"));
        StringWriter text = new StringWriter();
        PlanCommand.print(plan, new PrintWriter(text));

        assertThat(plan.toGenerate()).isEqualTo(3);
        assertThat(plan.providers().get(0).costUsd()).isEqualTo(0.18, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(text.toString())
                .contains("2 prompt file(s), 6 items, 0 already done, 2 duplicate(s), 1 invalid, 3 to generate")
                .contains("  a.txt -> batch a: 3 items, 0 done, 1 duplicate(s), 0 invalid, 2 to generate"
                        + " (2 x gemini-3.1-flash-image 1K)")
                .contains("  b.jsonl -> batch b: 3 items, 0 done, 1 duplicate(s), 1 invalid, 1 to generate"
                        + " (1 x gemini-3.1-flash-image 2K)")
                .contains("  simulator: no limits configured")
                .contains("; 0.18 USD")
                .contains("Budget: imagegen.budget.maxUsd=0.10 USD covers about 1 of 3 images")
                .contains("Nothing was sent.");
    }

    private RunConfig config(Path inbox, Map<String, String> extra) throws Exception {
        Map<String, String> values = new HashMap<>();
        values.put("imagegen.inbox", inbox.toString());
        values.put("imagegen.outbox", tmp.resolve("outbox").toString());
        values.put("imagegen.providers", "simulator");
        values.put("imagegen.provider.simulator.baseUrl", "http://127.0.0.1:9");
        values.putAll(extra);
        return RunConfig.from(Settings.of(values));
    }

    private static ZonedDateTime at(String localTime) {
        return LocalDateTime.parse(localTime).atZone(LA);
    }

    private static String prompts(String text, int count) throws IOException {
        return IntStream.rangeClosed(1, count).mapToObj(i -> text + " " + i).collect(Collectors.joining("\n")) + "\n";
    }
}
