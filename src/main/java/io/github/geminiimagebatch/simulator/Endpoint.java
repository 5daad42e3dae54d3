package io.github.geminiimagebatch.simulator;

/** The kinds of requests the simulator serves, as counted in /sim/stats requestsByEndpoint. */
enum Endpoint {
    AI_STUDIO("aistudio", true),
    VERTEX("vertex", true),
    VERTEX_EXPRESS("vertexExpress", true),
    OPENROUTER("openrouter", true),
    /** Batch API: create, get, list, cancel and delete jobs (the work inside them is counted under "batches"). */
    BATCH("batch", false),
    /** Files API: resumable uploads and downloads of batch input and results. */
    FILES("files", false),
    TOKEN("token", false),
    SIM("sim", false),
    UNKNOWN("unknown", false);

    private final String statsName;
    private final boolean generates;

    Endpoint(String statsName, boolean generates) {
        this.statsName = statsName;
        this.generates = generates;
    }

    String statsName() {
        return statsName;
    }

    /** Whether requests here ask for an image (and count in the "requests" total). */
    boolean generates() {
        return generates;
    }

    boolean isVertex() {
        return this == VERTEX || this == VERTEX_EXPRESS;
    }
}
