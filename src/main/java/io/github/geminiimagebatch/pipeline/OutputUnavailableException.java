package io.github.geminiimagebatch.pipeline;

import java.io.IOException;

/**
 * An answer could not be written to {@code outbox/.tmp} (disk full, the folder replaced by a file):
 * a local problem, not the provider's, so it must not be retried as a server error at the price of
 * another image per attempt.
 */
public final class OutputUnavailableException extends IOException {

    public OutputUnavailableException(String message, IOException cause) {
        super(message, cause);
    }
}
