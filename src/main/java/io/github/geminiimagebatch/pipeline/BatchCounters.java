package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.quota.ThrottleKind;

import java.util.Map;

/**
 * What a batch's report counts besides item statuses: 429s by kind, retries, and per provider the requests,
 * images, 429s and errors ({@code calls}: provider → [requests, images, 429s, errors]). Workers of other
 * instances send theirs with each item's result so the owner's report covers every instance.
 */
public record BatchCounters(Map<ThrottleKind, Integer> throttles, int retries, Map<String, int[]> calls) {

    public BatchCounters {
        throttles = Map.copyOf(throttles);
        calls = Map.copyOf(calls);
    }
}
