package io.github.geminiimagebatch.simulator;

import java.util.Arrays;
import java.util.Locale;
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
}
