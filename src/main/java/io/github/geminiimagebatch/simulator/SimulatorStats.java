package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** Counters behind GET /sim/stats, so tests and users can prove what was spent. Thread-safe. */
final class SimulatorStats {

    /** Distinct prompts tracked one by one; beyond this they are summed in billedToOtherPrompts so memory stays bounded. */
    static final int MAX_TRACKED_PROMPTS = 100_000;

    static final int TIMELINE_SECONDS = 3600;

    /** http429ByKind key of 429s injected as faults rather than caused by a configured quota. */
    static final String INJECTED_429 = "injected";

    private final LongAdder requests = new LongAdder();
    private final LongAdder imagesBilled = new LongAdder();
    private final LongAdder http429 = new LongAdder();
    private final LongAdder tokensIssued = new LongAdder();
    private final LongAdder billedToOtherPrompts = new LongAdder();
    private final ConcurrentMap<String, LongAdder> requestsByEndpoint = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, LongAdder> billedByPrompt = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, LongAdder> http429ByKind = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, LongAdder> faults = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, LongAdder> responsesByStatus = new ConcurrentHashMap<>();
    /** Generate calls and images billed per second since the simulator started (the first hour). */
    private final AtomicLongArray requestsPerSecond = new AtomicLongArray(TIMELINE_SECONDS);
    private final AtomicLongArray imagesPerSecond = new AtomicLongArray(TIMELINE_SECONDS);
    private final LongSupplier secondNow;

    /** @param secondNow whole seconds since the simulator started */
    SimulatorStats(LongSupplier secondNow) {
        this.secondNow = secondNow;
    }

    void endpointRequest(Endpoint endpoint) {
        if (endpoint.generates()) {
            requests.increment();
            addAtNow(requestsPerSecond, 1);
        }
        count(requestsByEndpoint, endpoint.statsName());
    }

    void response(int status) {
        count(responsesByStatus, Integer.toString(status));
    }

    void billed(String prompt, int images) {
        imagesBilled.add(images);
        addAtNow(imagesPerSecond, images);
        LongAdder perPrompt = billedByPrompt.get(prompt);
        if (perPrompt == null && billedByPrompt.size() >= MAX_TRACKED_PROMPTS) {
            billedToOtherPrompts.add(images);
            return;
        }
        (perPrompt != null ? perPrompt : billedByPrompt.computeIfAbsent(prompt, p -> new LongAdder())).add(images);
    }

    void quotaRejected(Iterable<String> kinds) {
        http429.increment();
        kinds.forEach(kind -> count(http429ByKind, kind));
    }

    void fault(FaultKind kind) {
        count(faults, kind.label());
        if (kind == FaultKind.RESOURCE_EXHAUSTED) {
            http429.increment();
            count(http429ByKind, INJECTED_429);
        }
    }

    void tokenIssued() {
        tokensIssued.increment();
    }

    void reset() {
        requests.reset();
        imagesBilled.reset();
        http429.reset();
        tokensIssued.reset();
        billedToOtherPrompts.reset();
        requestsByEndpoint.clear();
        billedByPrompt.clear();
        http429ByKind.clear();
        faults.clear();
        responsesByStatus.clear();
        for (int s = 0; s < TIMELINE_SECONDS; s++) {
            requestsPerSecond.set(s, 0);
            imagesPerSecond.set(s, 0);
        }
    }

    ObjectNode toJson(Map<String, Map<QuotaKind, QuotaLedger.WindowState>> windows, int inFlight) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("requests", requests.sum());
        root.set("requestsByEndpoint", counters(requestsByEndpoint));
        root.put("inFlight", inFlight);
        root.put("imagesBilled", imagesBilled.sum());
        root.set("billedByPrompt", counters(billedByPrompt));
        root.put("billedToOtherPrompts", billedToOtherPrompts.sum());
        root.put("http429", http429.sum());
        ObjectNode byKind = root.putObject("http429ByKind");
        for (QuotaKind kind : QuotaKind.values()) {
            byKind.put(kind.statsName(), sum(http429ByKind, kind.statsName()));
        }
        byKind.put(INJECTED_429, sum(http429ByKind, INJECTED_429));
        root.set("faults", counters(faults));
        root.set("responsesByStatus", counters(responsesByStatus));
        root.put("tokensIssued", tokensIssued.sum());
        ObjectNode timeline = root.putObject("timeline");
        int seconds = lastUsedSecond() + 1;
        ArrayNode requestsNode = timeline.putArray("requests");
        ArrayNode imagesNode = timeline.putArray("images");
        for (int s = 0; s < seconds; s++) {
            requestsNode.add(requestsPerSecond.get(s));
            imagesNode.add(imagesPerSecond.get(s));
        }
        ObjectNode windowsNode = root.putObject("windows");
        windows.forEach((model, byQuota) -> {
            ObjectNode modelNode = windowsNode.putObject(model);
            byQuota.forEach((kind, state) -> {
                ObjectNode window = modelNode.putObject(kind.statsName());
                window.put("used", state.used());
                if (state.limit() == QuotaLimits.UNLIMITED) {
                    window.putNull("limit");
                } else {
                    window.put("limit", state.limit());
                }
                if (state.resetsAt() != null) {
                    window.put("resetsAt", state.resetsAt().toString());
                }
            });
        });
        return root;
    }

    private void addAtNow(AtomicLongArray perSecond, long amount) {
        long second = secondNow.getAsLong();
        if (amount != 0 && second >= 0 && second < TIMELINE_SECONDS) {
            perSecond.addAndGet((int) second, amount);
        }
    }

    private int lastUsedSecond() {
        for (int s = Math.min(TIMELINE_SECONDS - 1, (int) Math.max(0, secondNow.getAsLong())); s >= 0; s--) {
            if (requestsPerSecond.get(s) != 0 || imagesPerSecond.get(s) != 0) {
                return s;
            }
        }
        return -1;
    }

    private static void count(ConcurrentMap<String, LongAdder> counters, String key) {
        counters.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static long sum(ConcurrentMap<String, LongAdder> counters, String key) {
        LongAdder adder = counters.get(key);
        return adder == null ? 0 : adder.sum();
    }

    private static ObjectNode counters(ConcurrentMap<String, LongAdder> counters) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        new TreeMap<>(counters).forEach((key, adder) -> node.put(key, adder.sum()));
        return node;
    }
}
