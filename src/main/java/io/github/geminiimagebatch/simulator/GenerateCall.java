package io.github.geminiimagebatch.simulator;

import java.time.Instant;
import java.util.List;

/**
 * One generate call as the simulator saw it, for tests that need the order of events across
 * clients (e.g. which requests arrived after the first per-day 429): when it arrived, when its answer
 * was sent (or the call ended), its prompt, and the quotas that refused it (empty: the quota admitted it).
 */
public record GenerateCall(Instant arrived, Instant ended, String prompt, List<String> refusedBy) {

    public GenerateCall {
        refusedBy = List.copyOf(refusedBy);
    }

    /** True when a quota refused it with a 429. */
    public boolean throttled() {
        return !refusedBy.isEmpty();
    }
}
