package io.github.geminiimagebatch.simulator;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Outcomes the simulator can inject instead of a normal image, by rate ({@code --faults}) or by a
 * {@code [sim:NAME]} marker in the prompt. The name is what users write in both places and what
 * /sim/stats counts under "faults".
 */
public enum FaultKind {
    /** 400 INVALID_ARGUMENT. Marker only is typical, but it can be drawn by rate too. */
    BAD_REQUEST("400", true),
    /** 403 PERMISSION_DENIED naming the caller's key as suspended (Google's leaked-key answer). */
    FORBIDDEN("403", true),
    /** A 429 that no configured quota explains: bare on AI Studio, Vertex's text on Vertex. */
    RESOURCE_EXHAUSTED("429", false),
    INTERNAL("500", false),
    UNAVAILABLE("503", false),
    /** Connection closed before any answer. */
    RESET("reset", false),
    /** No answer until the client gives up (bounded by the stall time or simulator stop). */
    STALL("stall", false),
    /** Part of a 200 body, then the connection closes. */
    TRUNCATE("truncate", false),
    /** 200 with a body that is not JSON. */
    MALFORMED("malformed", false),
    /** 200, candidate finishReason IMAGE_SAFETY with a finishMessage and no image. */
    SAFETY("safety", false),
    /** 200, promptFeedback.blockReason SAFETY and no candidates. */
    BLOCKED("blocked", false),
    /** 200, candidate finishReason PROHIBITED_CONTENT and no image. */
    PROHIBITED("prohibited", false),
    /** 200, candidate finishReason NO_IMAGE. */
    NO_IMAGE("no_image", false),
    /** 200, finishReason STOP with a text part only. */
    TEXT_ONLY("text_only", false),
    /** OpenRouter: HTTP 200 carrying an error object (error during generation); elsewhere a 500. */
    ERROR_200("error200", false);

    private final String label;
    private final boolean beforeQuota;

    FaultKind(String label, boolean beforeQuota) {
        this.label = label;
        this.beforeQuota = beforeQuota;
    }

    /** The name used in --faults, in [sim:...] markers and in stats. */
    public String label() {
        return label;
    }

    /**
     * Whether the outcome happens before quota accounting, like a request Google rejects up front (bad
     * argument, suspended key) and therefore does not meter.
     */
    boolean beforeQuota() {
        return beforeQuota;
    }

    public static Optional<FaultKind> fromLabel(String label) {
        String wanted = label.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(kind -> kind.label.equals(wanted)).findFirst();
    }

    public static String allLabels() {
        return Arrays.stream(values()).map(FaultKind::label).collect(Collectors.joining(", "));
    }

    /**
     * Rates by fault name ("503", "reset", ...), checked: every name known, every rate between 0 and 1, and
     * together at most 1.
     *
     * @throws IllegalArgumentException naming the bad fault or rate
     */
    static Map<FaultKind, Double> rates(Map<String, Double> ratesByName) {
        Map<FaultKind, Double> rates = new LinkedHashMap<>();
        double total = 0;
        for (Map.Entry<String, Double> entry : ratesByName.entrySet()) {
            FaultKind kind = fromLabel(entry.getKey()).orElseThrow(() -> new IllegalArgumentException(
                    "Unknown fault '" + entry.getKey() + "'. Known faults: " + allLabels()));
            double rate = entry.getValue();
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException("Fault rate for '" + entry.getKey() + "' must be between 0 and 1, got " + rate);
            }
            total += rate;
            rates.put(kind, rate);
        }
        if (total > 1 + 1e-9) {
            throw new IllegalArgumentException("Fault rates add up to " + total + ", more than 1: lower some of them");
        }
        return rates;
    }

    /**
     * Rates written as on the command line, {@code 503=0.05,reset=0.01}, by name; {@link #rates} checks them.
     *
     * @throws IllegalArgumentException when an item is not NAME=RATE or its rate is not a number
     */
    static Map<String, Double> parseRates(String spec) {
        Map<String, Double> rates = new LinkedHashMap<>();
        if (spec != null && !spec.isBlank()) {
            for (String item : spec.split(",")) {
                String[] nameAndRate = item.trim().split("=", 2);
                if (nameAndRate.length != 2) {
                    throw new IllegalArgumentException("Fault '" + item.trim() + "' must be written NAME=RATE, e.g. 503=0.05");
                }
                try {
                    rates.put(nameAndRate[0].trim(), Double.parseDouble(nameAndRate[1].trim()));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("Fault rate in '" + item.trim() + "' is not a number, e.g. 503=0.05");
                }
            }
        }
        return rates;
    }
}
