package io.github.geminiimagebatch.output;

import java.io.IOException;
import java.util.Optional;

/**
 * A place where results land (the outbox folder, an S3 bucket, ...), all with the same key layout:
 * {@code B/I.ext}, {@code B/I.json}, {@code B/manifest.jsonl}, {@code B/report.json},
 * {@code B/failed.jsonl}, and a key index {@code .keys/<2 hex>/<requestKey>.json} written last, so that an
 * index entry always means the image and its sidecar are complete.
 */
public interface OutputSink {

    String name();

    /** Stores one image (from its complete local file) under its relative name; visible only once complete. */
    void putImage(OutputImage image) throws IOException;

    /** Stores a small document (sidecar, manifest, report) atomically. */
    void putDocument(String relativeName, byte[] content, String contentType) throws IOException;

    /** The image location recorded for a request key, if its outputs are complete in this sink. */
    Optional<String> completedImage(String requestKey) throws IOException;

    /**
     * Whether the sink can be reached now, asked without storing anything (after an output error, so that
     * pending work is sent again as soon as the store is back). False when the sink cannot tell.
     */
    default boolean answers() {
        return false;
    }
}
