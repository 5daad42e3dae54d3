package io.github.geminiimagebatch.provider;

import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.config.ProviderType;
import io.github.geminiimagebatch.testing.MutableClock;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The provider at run time: its circuit breaker as configured, and one call at a time until it first answers. */
class ProviderRuntimeBreakerTest {

    private static ProviderRuntime provider(Clock clock) {
        return new ProviderRuntime(new ProviderSettings("simulator", ProviderType.SIMULATOR,
                "http://127.0.0.1:1", "simulator-key", "x-goog-api-key", null, List.of(), List.of(), 4, Map.of(),
                null, null, "global", null, Map.of(), false), ZoneId.of("America/Los_Angeles"), clock);
    }

    @Test
    void oneCallAtATimeUntilTheProviderFirstAnswersThenAsManyAsTheSlotsAllow() {
        ProviderRuntime provider = provider(MutableClock.at("2026-03-10T17:00:00Z"));
        assertThat(provider.startCall()).isTrue();
        assertThat(provider.startCall()).as("a second call waits for the first answer").isFalse();
        provider.endCall(false);
        assertThat(provider.startCall()).as("no answer (connection refused): the next call probes alone again").isTrue();
        assertThat(provider.startCall()).isFalse();
        assertThat(provider.endCall(true)).as("the first answer").isTrue();
        assertThat(provider.startCall()).isTrue();
        assertThat(provider.startCall()).isTrue();
        assertThat(provider.endCall(true)).isFalse();
        assertThat(provider.startCall()).as("once answered, the gate stays open").isTrue();
    }

    @Test
    void opensOnlyOnASustainedFailureRateHalfOpensAfterTheWaitAndClosesOnSuccess() {
        MutableClock clock = MutableClock.at("2026-03-10T17:00:00Z");
        ProviderRuntime provider = provider(clock);
        CircuitBreaker breaker = provider.breaker();

        for (int i = 0; i < 29; i++) {
            assertThat(breaker.tryAcquirePermission()).isTrue();
            breaker.onError(100, TimeUnit.MILLISECONDS, new RuntimeException("overloaded"));
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(breaker.getState()).as("fewer than 30 calls in a minute never open it").isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.tryAcquirePermission()).isTrue();
        breaker.onError(100, TimeUnit.MILLISECONDS, new RuntimeException("overloaded"));
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breaker.tryAcquirePermission()).isFalse();

        clock.advance(Duration.ofSeconds(29));
        assertThat(breaker.tryAcquirePermission()).isFalse();
        clock.advance(Duration.ofSeconds(2));
        assertThat(breaker.tryAcquirePermission()).isTrue();
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        breaker.onSuccess(100, TimeUnit.MILLISECONDS);
        assertThat(breaker.tryAcquirePermission()).isTrue();
        assertThat(breaker.tryAcquirePermission()).as("two trial calls in half-open").isFalse();
        breaker.onSuccess(100, TimeUnit.MILLISECONDS);
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void staysClosedUnderManySporadicOrOldFailures() {
        MutableClock clock = MutableClock.at("2026-03-10T17:00:00Z");
        CircuitBreaker breaker = provider(clock).breaker();
        for (int i = 0; i < 500; i++) {
            breaker.tryAcquirePermission();
            if (i % 4 == 0) {
                breaker.onSuccess(100, TimeUnit.MILLISECONDS);
            } else {
                breaker.onError(100, TimeUnit.MILLISECONDS, new RuntimeException("overloaded"));
            }
            clock.advance(Duration.ofMillis(100));
        }
        assertThat(breaker.getState()).as("75% failures stay under the 80% threshold").isEqualTo(CircuitBreaker.State.CLOSED);

        for (int i = 0; i < 25; i++) {
            breaker.tryAcquirePermission();
            breaker.onError(100, TimeUnit.MILLISECONDS, new RuntimeException("overloaded"));
        }
        clock.advance(Duration.ofSeconds(61));
        for (int i = 0; i < 25; i++) {
            breaker.tryAcquirePermission();
            breaker.onError(100, TimeUnit.MILLISECONDS, new RuntimeException("overloaded"));
        }
        assertThat(breaker.getState()).as("50 failures, but never 30 within one minute").isEqualTo(CircuitBreaker.State.CLOSED);
    }
}
