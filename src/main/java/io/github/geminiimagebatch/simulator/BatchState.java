package io.github.geminiimagebatch.simulator;

import java.util.Locale;

/** Where a simulated batch job is, as Google's Batch API writes it in {@code metadata.state}. */
enum BatchState {
    PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED, EXPIRED;

    String wireName() {
        return "BATCH_STATE_" + name();
    }

    /** The key under /sim/stats batches.byState. */
    String statsName() {
        return name().toLowerCase(Locale.ROOT);
    }

    boolean terminal() {
        return this != PENDING && this != RUNNING;
    }
}
