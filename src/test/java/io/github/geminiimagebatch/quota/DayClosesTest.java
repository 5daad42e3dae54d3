package io.github.geminiimagebatch.quota;

import io.github.geminiimagebatch.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** A per-day close outlives the process until the reset, on an injected clock. */
class DayClosesTest {

    private static final ZoneId PACIFIC = ZoneId.of("America/Los_Angeles");
    private static final Instant MIDNIGHT = ZonedDateTime.of(2026, 3, 11, 0, 0, 0, 0, PACIFIC).toInstant();

    @TempDir
    Path state;
    private final MutableClock clock = new MutableClock(ZonedDateTime.of(2026, 3, 10, 10, 0, 0, 0, PACIFIC).toInstant());

    /** A quota as one process start makes it, remembering its day closes in {@link #state}. */
    private ProviderQuota started(DayCloses closes) throws Exception {
        ProviderQuota quota = new ProviderQuota("aistudio", new QuotaSettings(List.of(), List.of(), PACIFIC,
                Duration.ofMillis(50)), clock, new Random(7));
        closes.restore(quota);
        quota.onDayClose((until, reason) -> {
            try {
                closes.record("aistudio", until, reason);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
        return quota;
    }

    @Test
    void aRestartBeforeTheResetFindsTheProviderClosedAndAfterItOpen() throws Exception {
        DayCloses closes = new DayCloses(state, clock);
        ProviderQuota first = started(closes);
        assertThat(first.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        first.onThrottled(new ThrottleSignal(ThrottleKind.PER_DAY, Duration.ofSeconds(25), false, "PerDay", 1500L,
                "429 per-day request quota exceeded"));
        assertThat(state.resolve("closed-aistudio.json")).exists();

        clock.advance(Duration.ofHours(3));
        Admission afterRestart = started(closes).tryAdmit(1);
        assertThat(afterRestart).isInstanceOf(Admission.Closed.class);
        assertThat(((Admission.Closed) afterRestart).until()).isEqualTo(MIDNIGHT);
        assertThat(((Admission.Closed) afterRestart).reason()).contains("per-day quota on aistudio exhausted",
                "remembered from an earlier run");

        clock.set(MIDNIGHT);
        assertThat(started(closes).tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        assertThat(state.resolve("closed-aistudio.json")).as("a passed close is forgotten").doesNotExist();
    }

    @Test
    void pausesAndClosesForOtherReasonsAreNotRemembered() throws Exception {
        DayCloses closes = new DayCloses(state, clock);
        ProviderQuota quota = started(closes);
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, Duration.ofSeconds(20), false, "PerMinute", 10L, "s"));
        quota.closeUntil(Instant.MAX, "credentials refused");
        assertThat(state.resolve("closed-aistudio.json")).doesNotExist();
        assertThat(started(closes).tryAdmit(1)).isInstanceOf(Admission.Granted.class);
    }

    @Test
    void anUnreadableRecordIsNoClose() throws Exception {
        Files.writeString(state.resolve("closed-aistudio.json"), "{\"until\": \"tomorrow\"}");
        assertThat(started(new DayCloses(state, clock)).tryAdmit(1)).isInstanceOf(Admission.Granted.class);
    }
}
