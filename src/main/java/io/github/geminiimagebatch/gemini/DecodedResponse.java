package io.github.geminiimagebatch.gemini;

import java.nio.file.Path;

/**
 * A decoded 200 OK body. For {@link Outcome#IMAGE} the image already sits in {@code imageFile}
 * (a temp file the caller moves into place or deletes); {@code mimeType} comes from the image's
 * magic bytes when they are recognised, else from the declared mime type.
 *
 * @param finishReason the candidate's finishReason as sent (for a blocked prompt: promptFeedback.blockReason)
 * @param reasonClass null for IMAGE; {@code safety}, {@code recitation}, {@code no_image} or {@code provider_error}
 * @param message finishMessage, blockReasonMessage, the model's text when it answered with words only, or the error message
 * @param errorCode ERROR_IN_BODY only: error.code
 * @param errorBody ERROR_IN_BODY only: the envelope {@code {"error":{...}}} re-serialised, the same shape as a non-200 error body
 */
public record DecodedResponse(Outcome outcome, Path imageFile, String mimeType, long bytes, String sha256, Integer width, Integer height,
        String finishReason, String reasonClass, String message,
        Usage usage, String modelVersion, String responseId, Integer errorCode, String errorBody) {
}
