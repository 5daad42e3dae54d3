package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.provider.ProviderRuntime;
import io.github.geminiimagebatch.quota.QuotaSnapshot;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

import java.time.Duration;
import java.time.Instant;

/** One short phrase about a provider that is not simply working: paused, closed or circuit open. */
final class ProviderStatus {

    private ProviderStatus() {
    }

    static String describe(ProviderRuntime p, Instant now) {
        if (p.breaker().getState() == CircuitBreaker.State.OPEN) {
            return p.name() + " circuit open after repeated server errors";
        }
        QuotaSnapshot q = p.quota().snapshot();
        if (q.closedUntil() != null && q.closedUntil().isAfter(now)) {
            return p.name() + " closed" + (q.closedUntil().equals(Instant.MAX) ? "" : " until " + q.closedUntil())
                    + (q.reason() == null ? "" : ": " + q.reason());
        }
        if (q.pausedUntil() != null && q.pausedUntil().isAfter(now)) {
            // the quota's reason starts with its own "paused 9.513 s: " as of the 429; the remaining time replaces it
            String reason = q.reason() == null ? null : q.reason().replaceFirst("^paused [^:]*: ", "");
            return p.name() + " paused " + Progress.format(Duration.between(now, q.pausedUntil()).plusMillis(999))
                    + (reason == null ? "" : ": " + reason);
        }
        return null;
    }
}
