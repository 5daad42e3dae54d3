package io.github.geminiimagebatch.pipeline;

import java.util.List;

/**
 * What the run tells observers (metrics, the status page) as it happens. The pipeline calls it from its own threads,
 * so implementations must be thread-safe and fast; the default does nothing.
 */
public interface RunListener {

    RunListener NONE = new RunListener() {
    };

    /** One listener that tells each of {@code listeners} in turn. */
    static RunListener all(List<RunListener> listeners) {
        List<RunListener> copy = List.copyOf(listeners);
        return new RunListener() {
            @Override
            public void called(String provider) {
                copy.forEach(l -> l.called(provider));
            }

            @Override
            public void throttled(String provider, String kind) {
                copy.forEach(l -> l.throttled(provider, kind));
            }

            @Override
            public void retried(String provider) {
                copy.forEach(l -> l.retried(provider));
            }

            @Override
            public void settled(String provider, WorkItem.Status status, double costUsd) {
                copy.forEach(l -> l.settled(provider, status, costUsd));
            }

            @Override
            public void batchOpened(BatchRun batch) {
                copy.forEach(l -> l.batchOpened(batch));
            }
        };
    }

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

    /** A prompt file was opened as a batch and its items are about to be worked on. */
    default void batchOpened(BatchRun batch) {
    }
}
