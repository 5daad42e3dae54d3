package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters behind GET /sim/stats, so tests and users can prove what was spent. Thread-safe. */
final class SimulatorStats {

    /** Distinct prompts tracked one by one; beyond this they are summed in billedToOtherPrompts so memory stays bounded. */
    static final int MAX_TRACKED_PROMPTS = 100_000;

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

    void endpointRequest(Endpoint endpoint) {
        if (endpoint.generates()) {
            requests.increment();
        }
        count(requestsByEndpoint, endpoint.statsName());
    }

    void response(int status) {
        count(responsesByStatus, Integer.toString(status));
    }

    void billed(String prompt, int images) {
        imagesBilled.add(images);
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
