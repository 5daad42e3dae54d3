package io.github.geminiimagebatch.prompt;

/**
 * The whole file cannot be read as a batch. The message is one sentence for the user that names the
 * file and says what to do; it goes into {@code inbox/.failed/<name>.error.txt}.
 */
public final class BatchRejectedException extends Exception {

    private static final long serialVersionUID = 1L;

    public BatchRejectedException(String userMessage) {
        super(userMessage);
    }
}
