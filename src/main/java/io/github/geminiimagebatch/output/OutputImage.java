package io.github.geminiimagebatch.output;

import java.nio.file.Path;

/**
 * One finished image on its way to the sinks: the complete local file and what describes it.
 *
 * @param relativeName where it lands, {@code B/I.ext}
 * @param file the complete local file; it is deleted once every sink has it, so a sink must be done reading
 *             when {@link OutputSink#putImage} returns
 * @param width null when the image format was not recognised
 */
public record OutputImage(String batch, String id, String relativeName, Path file, String mimeType, String requestKey,
                          String sha256, Integer width, Integer height) {
}
