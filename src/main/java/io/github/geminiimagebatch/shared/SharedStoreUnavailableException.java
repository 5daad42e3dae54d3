package io.github.geminiimagebatch.shared;

/** Redis (imagegen.shared.redisUrl) cannot be reached: nothing that needs the shared state may go ahead. */
public final class SharedStoreUnavailableException extends RuntimeException {

    public SharedStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
