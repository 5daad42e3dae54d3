package io.github.geminiimagebatch.provider;

import io.github.geminiimagebatch.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** When a provider that refused our credentials is tried again. */
class CredentialProbesTest {

    private final MutableClock clock = MutableClock.at("2026-03-10T17:00:00Z");
    private final Instant start = clock.instant();

    private CredentialProbes scheduled() {
        CredentialProbes probes = new CredentialProbes(clock);
        probes.schedule(n -> Duration.ofMinutes(Math.min(1L << (n - 1), 8)));
        return probes;
    }

    @Test
    void withoutAScheduleARefusalIsFinal() {
        CredentialProbes probes = new CredentialProbes(clock);
        assertThat(probes.refused(false)).isNull();
        clock.advance(Duration.ofDays(30));
        assertThat(probes.due(clock.instant())).isFalse();
        assertThat(probes.nextProbe()).isNull();
    }

    @Test
    void nothingIsDueBeforeAnyRefusal() {
        assertThat(scheduled().due(clock.instant())).isFalse();
    }

    @Test
    void eachRefusedProbePushesTheNextOneFurtherUpToTheCap() {
        CredentialProbes probes = scheduled();
        assertThat(probes.refused(false)).isEqualTo(start.plus(Duration.ofMinutes(1)));
        assertThat(probes.due(start.plusSeconds(59))).isFalse();
        assertThat(probes.due(start.plusSeconds(60))).isTrue();

        Instant at = start;
        for (long minutes : new long[]{2, 4, 8, 8, 8}) {
            at = at.plus(Duration.ofMinutes(10));
            clock.set(at);
            assertThat(probes.refused(true)).isEqualTo(at.plus(Duration.ofMinutes(minutes)));
            assertThat(probes.nextProbe()).isEqualTo(at.plus(Duration.ofMinutes(minutes)));
        }
    }

    @Test
    void refusalsOfCallsSentBeforeTheFirstWasKnownDoNotCountAgain() {
        CredentialProbes probes = scheduled();
        Instant first = probes.refused(false);
        clock.advance(Duration.ofSeconds(5));
        assertThat(probes.refused(false)).isEqualTo(first);
        assertThat(probes.refused(false)).isEqualTo(first);
    }

    @Test
    void acceptedCredentialsStartTheScheduleAgainFromItsBeginning() {
        CredentialProbes probes = scheduled();
        probes.refused(false);
        clock.advance(Duration.ofMinutes(1));
        probes.refused(true);
        probes.accepted();
        assertThat(probes.nextProbe()).isNull();
        assertThat(probes.due(clock.instant().plus(Duration.ofDays(1)))).isFalse();

        assertThat(probes.refused(false)).isEqualTo(clock.instant().plus(Duration.ofMinutes(1)));
    }
}
