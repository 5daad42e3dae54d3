package io.github.geminiimagebatch.provider;

import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.config.ProviderType;
import io.github.geminiimagebatch.quota.ThrottleKind;
import io.github.geminiimagebatch.quota.ThrottleSignal;
import io.github.geminiimagebatch.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** One answer to "does this provider take requests, and until when not": its kinds, their precedence, their ends. */
class ProviderStateTest {

    private final MutableClock clock = MutableClock.at("2026-03-10T17:00:00Z");
    private final ProviderRuntime provider = new ProviderRuntime(new ProviderSettings("a", ProviderType.SIMULATOR,
            "http://127.0.0.1:1", "key", "x-goog-api-key", null, List.of(), List.of(), 4, Map.of(), null, null,
            "global", null, Map.of(), false), ZoneId.of("America/Los_Angeles"), clock);

    private ProviderState now() {
        return provider.state(clock.instant());
    }

    @Test
    void aFreshProviderIsOpen() {
        assertThat(now()).isEqualTo(ProviderState.open("a"));
        assertThat(now().takesRequests()).isTrue();
        assertThat(now().up()).isTrue();
        assertThat(now().remaining(clock.instant())).isZero();
    }

    @Test
    void aClosedDayReopensAtTheResetAndIsDown() {
        Instant reset = Instant.parse("2026-03-11T07:00:00Z");
        provider.quota().closeUntil(reset, "per-day quota used up");
        assertThat(now()).isEqualTo(new ProviderState("a", ProviderState.Kind.CLOSED, reset, "per-day quota used up"));
        assertThat(now().up()).isFalse();
        assertThat(now().remaining(clock.instant())).isEqualTo(Duration.ofHours(14));
        clock.set(reset);
        assertThat(now().kind()).isEqualTo(ProviderState.Kind.OPEN);
    }

    @Test
    void anOpenCircuitSaysWhenItLetsCallsThroughAgainAndOutranksAClosedDay() {
        provider.quota().closeUntil(Instant.parse("2026-03-11T07:00:00Z"), "per-day quota used up");
        Instant opened = clock.instant();
        provider.breaker().transitionToOpenState();
        clock.advance(Duration.ofSeconds(10));
        ProviderState state = now();
        assertThat(state.kind()).isEqualTo(ProviderState.Kind.CIRCUIT_OPEN);
        assertThat(state.kind().id()).isEqualTo("circuit_open");
        assertThat(state.until()).isEqualTo(opened.plusSeconds(30));
        assertThat(state.remaining(clock.instant())).isEqualTo(Duration.ofSeconds(20));
        assertThat(state.takesRequests()).isFalse();
    }

    @Test
    void anUnusableProviderOutranksEverythingAndDoesNotReopenByWaiting() {
        provider.breaker().transitionToOpenState();
        provider.markUnusable("credentials refused (HTTP 403)");
        ProviderState state = now();
        assertThat(state).isEqualTo(new ProviderState("a", ProviderState.Kind.UNUSABLE, Instant.MAX,
                "credentials refused (HTTP 403)"));
        assertThat(state.remaining(clock.instant())).isZero();
    }

    @Test
    void aPauseAfterA429IsUpButDoesNotTakeRequestsUntilItEnds() {
        provider.quota().onThrottled(new ThrottleSignal(ThrottleKind.PER_MINUTE, Duration.ofSeconds(10), false, "q", null, "s"));
        ProviderState state = now();
        assertThat(state.kind()).isEqualTo(ProviderState.Kind.PAUSED);
        assertThat(state.up()).isTrue();
        assertThat(state.takesRequests()).isFalse();
        assertThat(state.until()).isAfter(clock.instant());
        clock.set(state.until());
        assertThat(now().kind()).isEqualTo(ProviderState.Kind.OPEN);
    }
}
