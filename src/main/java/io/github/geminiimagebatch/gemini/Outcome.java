package io.github.geminiimagebatch.gemini;

/** What a 200 OK response body turned out to hold. */
public enum Outcome {
    /** An image was returned and written to the temp file. */
    IMAGE,
    /** The prompt or the output was refused by a safety or recitation filter; billed, not retryable as is. */
    BLOCKED,
    /** The model finished without an image (text only, NO_IMAGE, MAX_TOKENS, OTHER ...). */
    NO_IMAGE,
    /** The body was an error envelope {@code {"error":{...}}} despite the 200 status. */
    ERROR_IN_BODY
}
