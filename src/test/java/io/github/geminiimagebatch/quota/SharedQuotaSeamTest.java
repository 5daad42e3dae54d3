package io.github.geminiimagebatch.quota;

import io.github.geminiimagebatch.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How {@link ProviderQuota} uses the state it shares with other instances, on a hand-moved clock: it
 * asks only after its own windows admit, counts nothing when the others say wait, adopts their close,
 * and tells them its pauses, closes and learned limits.
 */
class SharedQuotaSeamTest {

    private static final ZoneId PACIFIC = ZoneId.of("America/Los_Angeles");

    private final MutableClock clock = MutableClock.at("2026-03-10T17:00:00Z");
    private final Recording shared = new Recording();

    private ProviderQuota quota(String limits) {
        return new ProviderQuota("aistudio", new QuotaSettings(Limits.parse(limits, "limits"), List.of(), PACIFIC,
                Duration.ofMillis(50)), clock, new Random(7), shared);
    }

    @Test
    void aRequestTheOthersHoldBackIsNotCountedHereAndTheirReasonIsShown() {
        ProviderQuota quota = quota("2/min");
        Instant later = clock.instant().plusSeconds(9);
        shared.answers.add(new Admission.Wait(later, "pacing under 2/min (requests) with the other instances"));

        assertThat(quota.tryAdmit(1)).isEqualTo(new Admission.Wait(later,
                "pacing under 2/min (requests) with the other instances"));
        assertThat(quota.snapshot().admitted()).isZero();
        assertThat(quota.snapshot().windows().get(0).used()).isZero();

        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        assertThat(quota.snapshot().windows().get(0).used()).isEqualTo(1);
        assertThat(shared.asked).as("tickets the shared state saw").containsExactly(1L, 1L);
    }

    @Test
    void theSharedStateIsAskedOnlyWhenThisInstanceWouldSendAnyway() {
        ProviderQuota quota = quota("1/min");
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Wait.class);
        assertThat(shared.asked).hasSize(1);
    }

    @Test
    void aCloseSeenByAnotherInstanceClosesThisOneToo() {
        ProviderQuota quota = quota("");
        Instant midnight = Instant.parse("2026-03-11T07:00:00Z");
        shared.answers.add(new Admission.Closed(midnight, "per-day quota on aistudio exhausted (seen by instance b)"));

        assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Closed.class);
        assertThat(quota.snapshot().closedUntil()).isEqualTo(midnight);
        clock.advance(Duration.ofMinutes(5));
        assertThat(quota.tryAdmit(1)).as("closed here without asking again").isInstanceOf(Admission.Closed.class);
        assertThat(shared.asked).hasSize(1);
    }

    @Test
    void aPerMinute429PausesEveryInstanceUntilTheSameTime() {
        ProviderQuota quota = quota("");
        quota.tryAdmit(1);
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, Duration.ofSeconds(17), false, null, null, "s"));

        assertThat(shared.pauses).hasSize(1);
        assertThat(shared.pauses.get(0)).isEqualTo(quota.snapshot().pausedUntil());
        assertThat(Duration.between(clock.instant(), shared.pauses.get(0))).isBetween(Duration.ofMillis(17_050),
                Duration.ofMillis(17_300));
    }

    @Test
    void aPerDay429ClosesEveryInstanceUntilTheResetAndSharesTheLearnedDayLimit() {
        ProviderQuota quota = quota("");
        quota.tryAdmit(1);
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_DAY, Duration.ofSeconds(25), false, "PerDay", 500L, "s"));

        assertThat(shared.closes).containsExactly(Instant.parse("2026-03-11T07:00:00Z"));
        assertThat(shared.learned).containsExactly("requests 500/day");
    }

    @Test
    void aWindowLearnedFromA429IsSharedWithItsSpan() {
        ProviderQuota quota = quota("");
        // the 11th is the one refused: the server accepted 10
        for (int i = 0; i < 11; i++) {
            assertThat(quota.tryAdmit(1)).isInstanceOf(Admission.Granted.class);
            clock.advance(Duration.ofSeconds(3));
        }
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, Duration.ofSeconds(33), false,
                "GenerateRequestsPerMinutePerProjectPerModel", 10L, "s"));

        assertThat(shared.learned).hasSize(1);
        assertThat(shared.learned.get(0)).startsWith("requests 10/");
        assertThat(shared.spans.get(0)).isGreaterThan(Duration.ofSeconds(60));
    }

    @Test
    void aWindowIsLearnedFromEveryInstancesAdmissionsWhenShared() {
        ProviderQuota quota = quota("");
        quota.tryAdmit(1);
        // this instance sent one request; the ten the server counted came mostly from the others
        shared.nthAccepted = clock.instant().minusSeconds(40);
        quota.onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, Duration.ofSeconds(20), false,
                "GenerateRequestsPerMinutePerProjectPerModel", 10L, "s"));

        assertThat(shared.learned).containsExactly("requests 10/min");
        assertThat(quota.snapshot().adaptiveRequestsPerMinute()).as("no adaptive rate: the limit is known").isNull();
    }

    @Test
    void aRequestCountedFromWhenItLeftIsMovedInTheSharedWindowsToo() {
        ProviderQuota quota = quota("5/min");
        long ticket = ((Admission.Granted) quota.tryAdmit(1)).ticket();
        clock.advance(Duration.ofMillis(700));
        quota.countFromNow(ticket);
        assertThat(shared.sent).containsExactly(ticket);
    }

    @Test
    void withoutSharingTheQuotaBehavesAsAlone() {
        ProviderQuota alone = new ProviderQuota("aistudio", new QuotaSettings(Limits.parse("3/min", "limits"), List.of(),
                PACIFIC, Duration.ofMillis(50)), clock, new Random(7), SharedQuota.LOCAL_ONLY);
        int granted = 0;
        for (int i = 0; i < 10; i++) {
            if (alone.tryAdmit(1) instanceof Admission.Granted) {
                granted++;
            }
        }
        assertThat(granted).isEqualTo(1);
    }

    /** The seam's other side: answers queued by the test (else Granted), and what it was told. */
    private static final class Recording implements SharedQuota {
        final Deque<Admission> answers = new ArrayDeque<>();
        final List<Long> asked = new ArrayList<>();
        final List<Long> sent = new ArrayList<>();
        final List<Instant> pauses = new ArrayList<>();
        final List<Instant> closes = new ArrayList<>();
        final List<String> learned = new ArrayList<>();
        final List<Duration> spans = new ArrayList<>();
        Instant nthAccepted;

        @Override
        public Admission admit(long ticket, int images) {
            asked.add(ticket);
            Admission answer = answers.poll();
            return answer == null ? new Admission.Granted(ticket) : answer;
        }

        @Override
        public void sent(long ticket, int images) {
            sent.add(ticket);
        }

        @Override
        public void paused(Instant until, String reason) {
            pauses.add(until);
        }

        @Override
        public void closed(Instant until, String reason) {
            closes.add(until);
        }

        @Override
        public void learned(boolean images, Limit limit, Duration span, String text) {
            learned.add((images ? "images " : "requests ") + limit);
            spans.add(span);
        }

        @Override
        public Instant nthMostRecentAccepted(boolean images, long n) {
            return nthAccepted;
        }
    }
}
