package io.github.geminiimagebatch.pipeline;

/**
 * What the run tells observers (metrics) as it happens. The pipeline calls it from its own threads,
 * so implementations must be thread-safe and fast; the default does nothing.
 */
public interface RunListener {

    RunListener NONE = new RunListener() {
    };

    /** A request was sent to {@code provider}. */
    default void called(String provider) {
    }

    /** {@code provider} answered 429; {@code kind} is the quota it named (per_minute, per_day, ...). */
    default void throttled(String provider, String kind) {
    }

    /** An item will be sent again after a 429 or a server error at {@code provider}. */
    default void retried(String provider) {
    }

    /** An item settled; {@code provider} is null when no provider served it (skipped, invalid, pending). */
    default void settled(String provider, WorkItem.Status status, double costUsd) {
    }
}
