package io.github.geminiimagebatch.batchapi;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One job, from before its create call until its record is deleted. Guarded by {@link ProviderBatches}' lock. */
final class OpenJob {
    final String displayName;
    final String model;
    final List<String> keys;
    final Instant createdAt;
    final Map<String, JobTicket> tickets = new HashMap<>();
    final Set<String> delivered = new LinkedHashSet<>();
    final List<JobTicket> claimed = new ArrayList<>();
    volatile String name;
    volatile JobState state = JobState.PENDING;
    /** The create call may have reached the server without us seeing its answer: look for the job before creating another. */
    boolean uncertain;
    /** A job found in the records at start-up with no name: it exists only if listing finds it. */
    boolean unresolved;
    int createFailures;
    Instant nextAction;
    boolean resultsRead;

    OpenJob(String displayName, String model, List<String> keys, Instant createdAt) {
        this.displayName = displayName;
        this.model = model;
        this.keys = keys;
        this.createdAt = createdAt;
        this.nextAction = createdAt;
    }

    JobRecords.Record record() {
        return new JobRecords.Record(displayName, name, model, keys, createdAt);
    }

    String label() {
        return name != null ? name : "batch job " + displayName;
    }
}
