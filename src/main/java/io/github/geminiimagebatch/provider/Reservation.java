package io.github.geminiimagebatch.provider;

import java.time.Instant;

/** What {@link ProviderGateway#reserve} decided for one request, across the providers in failover order. */
public sealed interface Reservation permits Reservation.Granted, Reservation.Wait, Reservation.Closed {

    /** Send it now, to {@code permit.provider()}; the permit holds everything the call uses until it is closed. */
    record Granted(Permit permit) implements Reservation {
    }

    /** A provider will take it soon (pacing, all slots busy, a first call in flight): ask again at {@code until}. */
    record Wait(Instant until, String reason) implements Reservation {
    }

    /**
     * No provider can take it before {@code until} ({@code Instant.MAX}: not by waiting at all).
     * {@code cause} says why, as the reason class an item left behind is recorded with.
     */
    record Closed(Instant until, Cause cause, String reason) implements Reservation {

        public boolean forever() {
            return until.equals(Instant.MAX);
        }
    }

    /** Why no provider can take a request. */
    enum Cause {
        /** Per-day quotas used up, or a mix of closed providers and open circuits. */
        QUOTA("quota"),
        /** Only open circuits stand in the way: a matter of seconds. */
        CIRCUIT("quota"),
        /** Only open circuits stand in the way, each opened again after its half-open calls failed too. */
        DOWN("server_error"),
        /** Every provider is unusable (credentials refused, no quota for the model). */
        AUTH("auth"),
        /** The run or daily spending limit is reached. */
        BUDGET("budget"),
        /** No provider serves the requested model. */
        MODEL("model_not_found");

        private final String reasonClass;

        Cause(String reasonClass) {
            this.reasonClass = reasonClass;
        }

        /** The manifest's reason class for an item this leaves pending or failed. */
        public String reasonClass() {
            return reasonClass;
        }
    }
}
