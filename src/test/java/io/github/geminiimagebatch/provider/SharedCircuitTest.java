package io.github.geminiimagebatch.provider;

import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.config.ProviderType;
import io.github.geminiimagebatch.quota.Admission;
import io.github.geminiimagebatch.quota.Limit;
import io.github.geminiimagebatch.quota.SharedQuota;
import io.github.geminiimagebatch.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** An open circuit on one instance holds the others on the shared quota for as long as it stays open. */
class SharedCircuitTest {

    @Test
    void openingTheCircuitPausesTheSharedProviderForTheOpenWait() {
        MutableClock clock = MutableClock.at("2026-03-10T17:00:00Z");
        List<Instant> pauses = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        SharedQuota recording = new SharedQuota() {
            @Override
            public Admission admit(long ticket, int images) {
                return new Admission.Granted(ticket);
            }

            @Override
            public void sent(long ticket, int images) {
            }

            @Override
            public void paused(Instant until, String reason) {
                pauses.add(until);
                reasons.add(reason);
            }

            @Override
            public void closed(Instant until, String reason) {
            }

            @Override
            public void learned(boolean images, Limit limit, Duration span, String text) {
            }

            @Override
            public Instant nthMostRecentAccepted(boolean images, long n) {
                return null;
            }
        };
        ProviderRuntime provider = new ProviderRuntime(new ProviderSettings("aistudio", ProviderType.AISTUDIO,
                "http://127.0.0.1:1", "key", "x-goog-api-key", null, List.of(), List.of(), 4, Map.of(),
                null, null, "global", null, Map.of(), false), ZoneId.of("America/Los_Angeles"), clock,
                (name, model, settings) -> recording, "gemini-3.1-flash-image");

        provider.breaker().transitionToOpenState();

        assertThat(pauses).containsExactly(Instant.parse("2026-03-10T17:00:30Z"));
        assertThat(reasons).containsExactly("circuit open on aistudio after repeated server errors");
        provider.breaker().transitionToHalfOpenState();
        assertThat(pauses).hasSize(1);
    }
}
