package io.github.geminiimagebatch.gemini;

import java.io.IOException;

/**
 * The response body was not a complete, well-formed JSON document (cut off mid-stream or not JSON
 * at all). The message never quotes the body: it may hold anything, including echoed credentials.
 */
public final class MalformedResponseException extends IOException {

    public MalformedResponseException(String message) {
        super(message);
    }
}
