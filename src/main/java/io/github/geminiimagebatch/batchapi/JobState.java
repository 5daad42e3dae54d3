package io.github.geminiimagebatch.batchapi;

import java.util.Locale;

/** A Batch API job's {@code metadata.state}; Google writes BATCH_STATE_*, the SDKs JOB_STATE_*: both are read. */
public enum JobState {
    PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED, EXPIRED, UNKNOWN;

    static JobState parse(String wire) {
        if (wire == null) {
            return UNKNOWN;
        }
        String name = wire.trim().toUpperCase(Locale.ROOT).replaceFirst("^(BATCH|JOB)_STATE_", "");
        if (name.equals("QUEUED")) {
            return PENDING;
        }
        for (JobState state : values()) {
            if (state.name().equals(name)) {
                return state;
            }
        }
        return UNKNOWN;
    }

    boolean ended() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED || this == EXPIRED;
    }

    /** The reason class items get when their job ended without results. */
    String pendingReason() {
        return "batch_" + name().toLowerCase(Locale.ROOT);
    }
}
