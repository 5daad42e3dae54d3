package io.github.geminiimagebatch.quota;

/**
 * A classified provider error.
 *
 * @param kind        how to handle it
 * @param throttle    the 429 details, only for THROTTLED and ZERO_QUOTA
 * @param reasonClass the manifest reason: quota_minute, quota_daily, quota_tokens, quota_images,
 *                    rate_limited, quota_zero, invalid_request, auth, model_not_found, overloaded,
 *                    timeout, server_error
 * @param message     short and user-facing, with anything that looks like a secret removed
 */
public record ProviderFailure(FailureKind kind, ThrottleSignal throttle, String reasonClass, String message) {

    public boolean retryable() {
        return kind == FailureKind.THROTTLED || kind == FailureKind.TRANSIENT;
    }
}
