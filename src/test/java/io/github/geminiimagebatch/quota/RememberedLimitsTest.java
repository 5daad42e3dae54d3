package io.github.geminiimagebatch.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.geminiimagebatch.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits learned in one run are kept with their time and used by the next: ProviderQuota.learned/remember and the state file. */
class RememberedLimitsTest {

    private static final ZoneId PACIFIC = ZoneId.of("America/Los_Angeles");

    private final MutableClock clock = MutableClock.at("2026-03-10T17:00:00Z");

    @TempDir
    Path state;

    private ProviderQuota quota(String requestLimits) {
        return new ProviderQuota("aistudio", new QuotaSettings(Limits.parse(requestLimits, "limits"), List.of(), PACIFIC,
                Duration.ofMillis(50)), clock, new Random(42));
    }

    /** A run against a server allowing 5 per 30 s: 6 admitted a second apart, the 6th refused with "retry in 24 s". */
    private ProviderQuota learnedFiveInThirtySeconds() {
        ProviderQuota quota = quota("");
        for (int i = 0; i < 6; i++) {
            assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
            clock.advance(Duration.ofSeconds(1));
        }
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, Duration.ofSeconds(24), false,
                "GenerateRequestsPerMinutePerProjectPerModel", 5L, "s"));
        return quota;
    }

    private static ThrottleSignal bare() {
        return new ThrottleSignal(ThrottleKind.UNKNOWN, null, false, null, null, "Resource has been exhausted");
    }

    @Test
    void whatA429TaughtIsReportedWithItsTimeAndToTheListener() {
        List<LearnedLimits> heard = new ArrayList<>();
        ProviderQuota quota = quota("");
        quota.onLearned(heard::add);
        assertThat(quota.learned().isEmpty()).isTrue();
        for (int i = 0; i < 6; i++) {
            quota.tryAdmit(1);
            clock.advance(Duration.ofSeconds(1));
        }
        Instant at = clock.instant();
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, Duration.ofSeconds(24), false, "PerMinute", 5L, "s"));
        LearnedLimits learned = quota.learned();
        assertThat(learned.windows()).singleElement().satisfies(w -> {
            assertThat(w.limit()).isEqualTo(Limit.sliding(5, Duration.ofSeconds(30)));
            assertThat(w.images()).isFalse();
            assertThat(w.learnedAt()).isEqualTo(at);
        });
        assertThat(learned.adaptiveRate()).isNull();
        assertThat(heard).containsExactly(learned);
        assertThat(learned.summary()).isEqualTo("5/30s (requests)");
    }

    @Test
    void theNextRunStartsAtTheRememberedPaceWithoutA429() {
        LearnedLimits kept = learnedFiveInThirtySeconds().learned();
        clock.advance(Duration.ofHours(1));
        ProviderQuota next = quota("");
        next.remember(kept);
        Instant start = clock.instant();
        List<Instant> admitted = new ArrayList<>();
        while (admitted.size() < 10) {
            Admission admission = next.tryAdmit(1);
            if (admission instanceof Admission.Granted) {
                admitted.add(clock.instant());
            } else {
                clock.set(((Admission.Wait) admission).until());
            }
        }
        // 5 per 30 s + margin (50 ms + 1%), spread 3 s apart
        assertThat(admitted.get(4)).isEqualTo(start.plusSeconds(12));
        assertThat(admitted.get(5)).isEqualTo(start.plusMillis(30_350));
        assertThat(next.snapshot().learnedLimits()).containsExactly(Limit.sliding(5, Duration.ofSeconds(30)));
    }

    @Test
    void aRunStartedRightAfterCountsTheAdmissionsTheEarlierRunLeftInTheWindow() {
        ProviderQuota first = learnedFiveInThirtySeconds();
        LearnedLimits kept = first.learned();
        assertThat(kept.windows().get(0).counted()).as("the 5 the server accepted, at 0 to 4 s")
                .containsExactly(clock.instant().minusSeconds(6), clock.instant().minusSeconds(5), clock.instant().minusSeconds(4),
                        clock.instant().minusSeconds(3), clock.instant().minusSeconds(2));
        Instant firstAdmission = clock.instant().minusSeconds(6);
        ProviderQuota next = quota("");
        next.remember(kept);
        Admission admission = next.tryAdmit(1);
        assertThat(admission).isEqualTo(new Admission.Wait(firstAdmission.plusMillis(30_350),
                "pacing under learned limit 5/30s (requests)"));
    }

    @Test
    void knowledgeOlderThanADayOrFromTheFutureIsNotUsed() {
        LearnedLimits kept = learnedFiveInThirtySeconds().learned();
        Instant learnedAt = kept.windows().get(0).learnedAt();
        assertThat(kept.freshAt(learnedAt.plus(Duration.ofHours(24)).minusMillis(1)).windows()).hasSize(1);
        assertThat(kept.freshAt(learnedAt.plus(Duration.ofHours(24))).isEmpty()).isTrue();
        assertThat(kept.freshAt(learnedAt.minusSeconds(1)).isEmpty()).as("a clock set back").isTrue();

        clock.set(learnedAt.plus(Duration.ofHours(25)));
        ProviderQuota next = quota("");
        next.remember(kept);
        assertThat(next.learned().isEmpty()).isTrue();
        assertThat(next.snapshot().windows()).isEmpty();
    }

    @Test
    void aConfiguredLimitOfTheSameKindWinsOverARememberedOne() {
        LearnedLimits kept = new LearnedLimits(List.of(
                new LearnedLimits.Window("requests q", false, Limit.sliding(5, Duration.ofSeconds(30)), clock.instant(), List.of()),
                new LearnedLimits.Window("day REQUESTS", false, Limit.perCalendarDay(100), clock.instant(), List.of()),
                new LearnedLimits.Window("images q", true, Limit.sliding(8, Duration.ofSeconds(60)), clock.instant(), List.of())),
                new LearnedLimits.AdaptiveRate(0.5, 1.0, clock.instant()));
        ProviderQuota configured = quota("20/min");
        configured.remember(kept);
        assertThat(configured.snapshot().learnedLimits()).as("the per-day and images limits are another kind")
                .containsExactly(Limit.perCalendarDay(100), Limit.sliding(8, Duration.ofSeconds(60)));
        assertThat(configured.snapshot().adaptiveRequestsPerMinute()).as("a configured request limit wins over the adaptive rate").isNull();

        ProviderQuota unset = quota("");
        unset.remember(kept);
        assertThat(unset.snapshot().learnedLimits()).hasSize(3);
        assertThat(unset.snapshot().adaptiveRequestsPerMinute()).isCloseTo(30.0, within(1e-9));
    }

    @Test
    void whatThisRunLearnedItselfIsKept() {
        ProviderQuota quota = learnedFiveInThirtySeconds();
        quota.remember(new LearnedLimits(List.of(new LearnedLimits.Window("REQUESTS GenerateRequestsPerMinutePerProjectPerModel",
                false, Limit.sliding(5, Duration.ofSeconds(10)), clock.instant(), List.of())), null));
        assertThat(quota.snapshot().learnedLimits()).containsExactly(Limit.sliding(5, Duration.ofSeconds(30)));
    }

    @Test
    void theAdaptiveRateIsRememberedAndPacesTheNextRun() {
        ProviderQuota quota = quota("");
        for (int i = 0; i < 30; i++) {
            quota.tryAdmit(1);
            clock.advance(Duration.ofSeconds(1));
        }
        quota.onThrottled(bare());
        LearnedLimits kept = quota.learned();
        assertThat(kept.adaptiveRate()).isNotNull();
        assertThat(kept.adaptiveRate().requestsPerSecond()).isCloseTo(0.5, within(1e-9));
        assertThat(kept.adaptiveRate().learnedAt()).isEqualTo(clock.instant());

        clock.advance(Duration.ofMinutes(10));
        ProviderQuota next = quota("");
        next.remember(kept);
        assertThat(next.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        assertThat(next.tryAdmit(1)).isEqualTo(new Admission.Wait(clock.instant().plusSeconds(2),
                "adaptive pacing at 30 requests/min after 429s without quota details"));
    }

    @Test
    void theStateFileKeepsEverythingAndAMissingFileIsNothing() throws IOException {
        LearnedLimitsFile file = new LearnedLimitsFile(state, "aistudio", "models/gemini-3.1-flash-image");
        assertThat(file.path().getFileName().toString()).isEqualTo("learned-limits-aistudio-models_gemini-3.1-flash-image.json");
        assertThat(file.read()).isEqualTo(LearnedLimits.NONE);
        LearnedLimits kept = new LearnedLimits(List.of(
                new LearnedLimits.Window("requests q", false, Limit.sliding(10, Duration.ofMillis(6_213)), clock.instant(),
                        List.of(clock.instant().minusMillis(1500), clock.instant().minusMillis(20))),
                new LearnedLimits.Window("day REQUESTS", false, Limit.perCalendarDay(1500), clock.instant().minusSeconds(5), List.of()),
                new LearnedLimits.Window("images q", true, Limit.sliding(8, Duration.ofMinutes(1)), clock.instant(), List.of())),
                new LearnedLimits.AdaptiveRate(0.25, 0.5, clock.instant()));
        file.write(kept);
        assertThat(file.read()).isEqualTo(kept);
        assertThat(Files.readString(file.path())).contains("\"limit\" : \"10/6.213s\"").contains("\"requestsPerMinute\" : 15.0");
        file.write(LearnedLimits.NONE);
        assertThat(file.path()).doesNotExist();
    }

    @Test
    void instancesSharingAnOutboxWritingAtOnceLeaveAWholeFileOfOneOfThem() throws Exception {
        LearnedLimitsFile file = new LearnedLimitsFile(state, "aistudio", "m");
        List<LearnedLimits> written = new ArrayList<>();
        for (int writer = 1; writer <= 4; writer++) {
            written.add(new LearnedLimits(List.of(new LearnedLimits.Window("requests q", false,
                    Limit.sliding(10L * writer, Duration.ofMillis(6_000 + writer)), clock.instant(),
                    List.of(clock.instant().minusMillis(writer)))), null));
        }
        file.write(written.get(0));
        ExecutorService pool = Executors.newFixedThreadPool(written.size() + 1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (LearnedLimits mine : written) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        file.write(mine);
                    }
                    return null;
                }));
            }
            // a reader (the next run, another instance starting) meanwhile always finds one writer's whole file
            Future<?> reads = pool.submit(() -> {
                do {
                    assertThat(written).contains(file.read());
                } while (done.stream().anyMatch(f -> !f.isDone()));
                return null;
            });
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            reads.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(written).contains(file.read());
        try (Stream<Path> left = Files.list(state)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly(file.path().getFileName().toString());
        }
    }

    @Test
    void aDamagedStateFileIsAnError() throws IOException {
        LearnedLimitsFile file = new LearnedLimitsFile(state, "aistudio", "m");
        Files.writeString(file.path(), "{\"windows\":[{\"learnedAt\":\"yesterday\"}]}");
        assertThatThrownBy(file::read).isInstanceOf(RuntimeException.class);
        Files.writeString(file.path(), "{not json");
        assertThatThrownBy(file::read).isInstanceOf(IOException.class);
    }
}
