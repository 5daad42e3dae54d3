package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.provider.ProviderState;

import java.time.Duration;
import java.time.Instant;

/** One short phrase about a provider that is not simply working: unusable, circuit open, closed or paused. */
final class ProviderStatus {

    private ProviderStatus() {
    }

    /** The phrase for the progress line; null when the provider is open. */
    static String describe(ProviderState s, Instant now) {
        return switch (s.kind()) {
            case OPEN -> null;
            case UNUSABLE -> s.provider() + " unusable" + (s.until().equals(Instant.MAX) ? "" : " until a probe at " + s.until())
                    + ": " + s.reason();
            case CIRCUIT_OPEN -> s.provider() + " " + s.reason();
            case CLOSED -> s.provider() + " closed" + (s.until().equals(Instant.MAX) ? "" : " until " + s.until())
                    + (s.reason() == null ? "" : ": " + s.reason());
            // the quota's reason starts with its own "paused 9.513 s: " as of the 429; the remaining time replaces it
            case PAUSED -> s.provider() + " paused " + Progress.format(Duration.between(now, s.until()).plusMillis(999))
                    + (s.reason() == null ? "" : ": " + s.reason().replaceFirst("^paused [^:]*: ", ""));
        };
    }
}
