package io.github.geminiimagebatch.provider;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Whether a provider takes requests, and until when it does not: the one answer that progress,
 * health, metrics and the status page render.
 *
 * @param provider the provider's name
 * @param kind     what holds it, in precedence order: unusable, circuit open, closed, paused, else open
 * @param until    when it takes requests again; null when open, {@code Instant.MAX} when not by waiting
 * @param reason   why, for people (may carry provider text: redact before showing it); null when open
 */
public record ProviderState(String provider, Kind kind, Instant until, String reason) {

    public enum Kind {
        /** Takes requests now. */
        OPEN,
        /** Pacing after a 429 or a server error: a short wait, the provider is healthy. */
        PAUSED,
        /** A per-day quota is used up until the reset (or for good). */
        CLOSED,
        /** The circuit breaker is open after repeated server errors. */
        CIRCUIT_OPEN,
        /**
         * Credentials refused or no quota for the model: no more requests in this run, except that a
         * service tries refused credentials again with one request at {@code until} (else {@code Instant.MAX}).
         */
        UNUSABLE;

        /** The lower-case name the health check and status page show ({@code circuit_open}). */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static ProviderState open(String provider) {
        return new ProviderState(provider, Kind.OPEN, null, null);
    }

    /** Takes requests now. */
    public boolean takesRequests() {
        return kind == Kind.OPEN;
    }

    /** Takes requests now or after a short pause: healthy, as an operator sees it. */
    public boolean up() {
        return kind == Kind.OPEN || kind == Kind.PAUSED;
    }

    /** Time from {@code now} until it takes requests again; zero when open or when it does not by waiting. */
    public Duration remaining(Instant now) {
        if (until == null || until.equals(Instant.MAX) || !until.isAfter(now)) {
            return Duration.ZERO;
        }
        return Duration.between(now, until);
    }
}
