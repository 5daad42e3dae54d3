package io.github.geminiimagebatch;

/**
 * A prompt sent to {@code gemini-image:generate} (or the {@code gemini-image-action} kamelet) did not
 * give an image. {@link #reason()} is the reason class the bundle's manifest uses ({@code safety},
 * {@code no_image}, {@code invalid_request}, {@code invalid_input}, {@code quota}, {@code auth},
 * {@code budget}, {@code retries_exhausted}, {@code model_not_found}, ...), so an {@code onException}
 * can route on it; the message says what happened in a sentence, never with a credential.
 */
public class GeminiImageException extends Exception {

    private final String reason;

    public GeminiImageException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    /** The reason class, e.g. {@code safety} or {@code quota}. */
    public String reason() {
        return reason;
    }
}
