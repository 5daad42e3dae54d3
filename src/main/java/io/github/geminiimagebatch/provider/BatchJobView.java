package io.github.geminiimagebatch.provider;

import java.time.Duration;
import java.time.Instant;

/**
 * A Gemini Batch API job as progress, reports and metrics show it.
 *
 * @param name  batches/..., or null while its create call has not answered
 * @param state CREATING, PENDING, RUNNING or SUCCEEDED (its results are being handed out)
 */
public record BatchJobView(String provider, String name, String displayName, String state, int items, Instant createdAt) {

    public Duration age(Instant now) {
        return Duration.between(createdAt, now);
    }

    public boolean inFlight() {
        return !"SUCCEEDED".equals(state);
    }
}
