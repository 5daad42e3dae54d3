package io.github.geminiimagebatch.simulator;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides which fault, if any, a request gets: a {@code [sim:NAME]} or {@code [sim:NAMExN]} marker in the
 * prompt wins; otherwise one seeded draw against the configured rates. "xN" markers fail the first N
 * requests carrying that exact prompt and let later ones through.
 */
final class FaultPlan {

    private static final Pattern FAULT_MARKER = Pattern.compile("\\[sim:([a-z0-9_]+?)(?:x(\\d+))?]");
    private static final Pattern LATENCY_MARKER = Pattern.compile("\\[sim:latency=(\\d+)]");

    private final Map<FaultKind, Double> rates;
    private final Random random;
    private final Map<String, Integer> failuresByPrompt = new ConcurrentHashMap<>();

    FaultPlan(Map<FaultKind, Double> rates, long seed) {
        this.rates = rates;
        this.random = new Random(seed);
    }

    /** A marker fault that Google would answer before metering the request (bad argument, suspended key). */
    Optional<FaultKind> upFrontFault(String prompt) {
        return marker(prompt).map(Marker::kind).filter(FaultKind::beforeQuota);
    }

    /** The fault for an admitted request, counting it against an "xN" marker's budget. */
    Optional<FaultKind> decide(String prompt) {
        Optional<Marker> marker = marker(prompt);
        if (marker.isPresent()) {
            Marker found = marker.get();
            if (found.times() == null) {
                return Optional.of(found.kind());
            }
            int failuresSoFar = failuresByPrompt.merge(prompt, 1, Integer::sum);
            if (failuresSoFar <= found.times()) {
                return Optional.of(found.kind());
            }
        }
        return draw();
    }

    /** The latency a {@code [sim:latency=MS]} marker asks for. */
    static OptionalLong latencyOverrideMillis(String prompt) {
        Matcher matcher = LATENCY_MARKER.matcher(prompt);
        return matcher.find() ? OptionalLong.of(Long.parseLong(matcher.group(1))) : OptionalLong.empty();
    }

    /** Uniform in [-jitterMillis, +jitterMillis]. */
    synchronized long jitterMillis(long jitterMillis) {
        return jitterMillis == 0 ? 0 : (long) ((random.nextDouble() * 2 - 1) * jitterMillis);
    }

    void reset() {
        failuresByPrompt.clear();
    }

    private synchronized Optional<FaultKind> draw() {
        if (rates.isEmpty()) {
            return Optional.empty();
        }
        double roll = random.nextDouble();
        double cumulative = 0;
        for (Map.Entry<FaultKind, Double> rate : rates.entrySet()) {
            cumulative += rate.getValue();
            if (roll < cumulative) {
                return Optional.of(rate.getKey());
            }
        }
        return Optional.empty();
    }

    private static Optional<Marker> marker(String prompt) {
        Matcher matcher = FAULT_MARKER.matcher(prompt);
        while (matcher.find()) {
            Optional<FaultKind> kind = FaultKind.fromLabel(matcher.group(1));
            if (kind.isPresent()) {
                Integer times = matcher.group(2) == null ? null : Integer.valueOf(matcher.group(2));
                return Optional.of(new Marker(kind.get(), times));
            }
        }
        return Optional.empty();
    }

    private record Marker(FaultKind kind, Integer times) {
    }
}
