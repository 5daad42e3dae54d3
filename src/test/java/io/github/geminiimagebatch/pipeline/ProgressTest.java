package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.gemini.ImageRequest;
import io.github.geminiimagebatch.prompt.PromptItem;
import io.github.geminiimagebatch.provider.ProviderRuntime;
import io.github.geminiimagebatch.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The progress line and its ETA arithmetic, on a hand-moved clock. */
class ProgressTest {

    private static final ZoneId LA = ZoneId.of("America/Los_Angeles");

    // 08:00Z = 01:00 PDT on Tuesday 2026-03-10
    private final MutableClock clock = MutableClock.at("2026-03-10T08:00:00Z");

    @Test
    void theLineCountsEveryStateAndThePace() throws Exception {
        RunState run = run(provider(null));
        Progress progress = new Progress(run, LA);
        run.queued(100);
        settle(run, WorkItem.Status.OK, 20);
        settle(run, WorkItem.Status.SKIPPED, 5);
        settle(run, WorkItem.Status.FAILED, 1);
        clock.advance(Duration.ofMinutes(2));

        // 20 made in 2 minutes: 10/min; 74 open -> 7m24s
        assertThat(progress.line(clock.instant())).isEqualTo(
                "generating: 20 ok, 5 skipped, 1 failed, 74 to go of 100 | 10.0 images/min | ETA 7m24s | 0.00 USD");
    }

    @Test
    void aPerDayLimitStretchesTheEtaBeyondWhatThePaceSuggests() throws Exception {
        RunState run = run(provider("10/min,1500/day"));
        Progress progress = new Progress(run, LA);
        run.queued(3000);
        clock.advance(Duration.ofMinutes(10));
        settle(run, WorkItem.Status.OK, 100);

        // by pace 2900 at 10/min = 4h50m; by quota: 1500 today (2h30m), then wait for midnight PDT
        // (22h50m after 01:10), then 1400 more at 10/min (2h20m) = 25h10m
        String line = progress.line(clock.instant());

        assertThat(line).contains("2900 to go of 3000 | 10.0 images/min | ETA 1d01h (per-day quota)");
        assertThat(Progress.quotaTime(run.providers().get(0), 2900, LA, clock.instant(), false))
                .isEqualTo(Duration.ofHours(25).plusMinutes(10));
    }

    @Test
    void withinOneDayTheQuotaOnlyCountsWhenItIsSlowerThanThePace() throws Exception {
        List<ProviderRuntime> providers = List.of(runtime(provider("10/min")));
        Instant now = clock.instant();

        assertThat(Progress.eta(100, 20.0, providers, LA, now)).isEqualTo("10m00s (quota)");
        assertThat(Progress.eta(100, 5.0, providers, LA, now)).isEqualTo("20m00s");
        assertThat(Progress.eta(100, 0.0, providers, LA, now)).isEqualTo("10m00s (quota)");
        assertThat(Progress.eta(0, 0.0, providers, LA, now)).isEqualTo("0s");
    }

    @Test
    void withoutLimitsOrPaceTheEtaIsUnknownRatherThanInvented() throws Exception {
        List<ProviderRuntime> providers = List.of(runtime(provider(null)));

        assertThat(Progress.eta(10, 0.0, providers, LA, clock.instant())).isEqualTo("unknown");
    }

    @Test
    void aProviderClosedUntilTomorrowIsNamedInsteadOfANonsenseEta() throws Exception {
        ProviderRuntime p = runtime(provider("10/min,1500/day"));
        Instant midnight = Instant.parse("2026-03-11T07:00:00Z");
        p.quota().closeUntil(midnight, "per-day quota exhausted");
        RunState run = new RunState(List.of(p), clock);
        run.queued(50);
        Progress progress = new Progress(run, LA);

        String line = progress.line(clock.instant());

        assertThat(line).contains("ETA not before Wed 00:00 PDT (quota closed until then), then 5m00s")
                .contains("simulator closed until 2026-03-11T07:00:00Z: per-day quota exhausted");
    }

    @Test
    void aClosedProviderDoesNotMakeTheEtaLookShorter() throws Exception {
        ProviderRuntime fast = runtime(provider("100/min"));
        fast.quota().closeUntil(Instant.parse("2026-03-11T07:00:00Z"), "per-day quota exhausted");
        ProviderRuntime slow = runtime(provider("10/min"));

        assertThat(Progress.eta(100, 0.0, List.of(fast, slow), LA, clock.instant())).isEqualTo("10m00s (quota)");
    }

    @Test
    void aPausedProviderShowsTheTimeLeftOnceAndTheQuotaThatPausedIt() throws Exception {
        ProviderRuntime p = runtime(provider(null));
        p.quota().onThrottled(new io.github.geminiimagebatch.quota.ThrottleSignal(
                io.github.geminiimagebatch.quota.ThrottleKind.PER_MINUTE, Duration.ofSeconds(20), false, null, null,
                "per-minute request quota"));
        RunState run = new RunState(List.of(p), clock);
        run.queued(5);

        String line = new Progress(run, LA).line(clock.instant());

        assertThat(line).containsPattern("\\| simulator paused 2\\ds: per-minute request quota");
        assertThat(line.split("paused", -1)).hasSize(2);
    }

    @Test
    void anUnusableProviderLeavesNoEta() throws Exception {
        ProviderRuntime p = runtime(provider(null));
        p.markUnusable("credentials refused (HTTP 403)");

        assertThat(Progress.eta(10, 3.0, List.of(p), LA, clock.instant())).isEqualTo("none: no provider is usable");
    }

    @Test
    void thePaceForgetsWhatHappenedBeforeTheRecentWindow() throws Exception {
        RunState run = run(provider(null));
        Progress progress = new Progress(run, LA);
        run.queued(1000);
        Instant start = clock.instant();

        assertThat(progress.pace(start.plus(Duration.ofMinutes(1)), 10)).isEqualTo(10.0);
        assertThat(progress.pace(start.plus(Duration.ofMinutes(6)), 60)).isEqualTo(10.0);
        // nothing made for six minutes: the fast start no longer counts
        assertThat(progress.pace(start.plus(Duration.ofMinutes(12)), 60)).isZero();
        assertThat(progress.pace(start.plus(Duration.ofMinutes(14)), 80)).isEqualTo(20.0 / 8);
    }

    @Test
    void inServiceModeThePaceStartsWithTheBatchNotWithTheProcess() throws Exception {
        RunState run = run(provider(null));
        Progress progress = new Progress(run, LA);
        clock.advance(Duration.ofHours(3)); // idle: no prompt file for three hours
        run.queued(40);
        clock.advance(Duration.ofMinutes(2));
        settle(run, WorkItem.Status.OK, 8);

        assertThat(progress.line(clock.instant())).contains("8 ok, 0 skipped, 0 failed, 32 to go of 40 | 4.0 images/min | ETA 8m00s");
    }

    private RunState run(ProviderSettings settings) {
        return new RunState(List.of(runtime(settings)), clock);
    }

    private ProviderRuntime runtime(ProviderSettings settings) {
        return new ProviderRuntime(settings, LA, clock);
    }

    private static ProviderSettings provider(String limits) throws ConfigException {
        Map<String, String> values = new HashMap<>();
        values.put("imagegen.provider.simulator.baseUrl", "http://127.0.0.1:9");
        if (limits != null) {
            values.put("imagegen.provider.simulator.limits", limits);
        }
        return ProviderSettings.from(Settings.of(values), "simulator");
    }

    private void settle(RunState run, WorkItem.Status status, int count) {
        BatchRun batch = new BatchRun("b", Path.of("b.txt"), clock.instant());
        for (int i = 0; i < count; i++) {
            PromptItem prompt = new PromptItem(Integer.toString(i), i + 1, "p" + i, null, null, null, List.of(), null, null);
            WorkItem item = new WorkItem(batch, prompt, new ImageRequest("gemini-3.1-flash-image", "p" + i, "1:1", "1K",
                    List.of()), "k" + i);
            item.settle(status, null, null, clock.instant());
            run.settled(item);
        }
    }

    @Test
    void batchJobsAreSummedByStateWithTheAgeOfTheOldest() {
        Instant now = Instant.parse("2026-03-01T10:00:00Z");
        List<io.github.geminiimagebatch.provider.BatchJobView> jobs = List.of(
                new io.github.geminiimagebatch.provider.BatchJobView("aistudio", "batches/a", "gib-1", "RUNNING", 200, now.minusSeconds(250)),
                new io.github.geminiimagebatch.provider.BatchJobView("aistudio", "batches/b", "gib-2", "RUNNING", 100, now.minusSeconds(20)),
                new io.github.geminiimagebatch.provider.BatchJobView("aistudio", null, "gib-3", "CREATING", 12, now.minusSeconds(1)));

        assertThat(Progress.batchJobs(jobs, now)).isEqualTo("batch jobs: 1 CREATING (12 items), 2 RUNNING (300 items); oldest 250s");
        assertThat(Progress.batchJobs(List.of(), now)).isEmpty();
    }
}
