package io.github.geminiimagebatch.output;

import java.io.IOException;
import java.nio.file.Path;

/** An image could not be stored, and its paid answer is kept until it can be (see {@link KeptAnswers}). */
public final class AnswerKeptException extends IOException {

    private final transient Path keptAt;

    public AnswerKeptException(Path keptAt, IOException storeFailure) {
        super(storeFailure.getMessage(), storeFailure);
        this.keptAt = keptAt;
    }

    /** Where the image is kept. */
    public Path keptAt() {
        return keptAt;
    }

    /** Why the store failed. */
    public IOException storeFailure() {
        return (IOException) getCause();
    }
}
