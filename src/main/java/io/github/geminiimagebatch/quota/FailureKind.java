package io.github.geminiimagebatch.quota;

/** How a failed provider call should be handled. */
public enum FailureKind {
    /** 429: pace or pause the provider, retry the item later. */
    THROTTLED,
    /** 429 with limit 0: the tier has no quota for the model; the provider is unusable. */
    ZERO_QUOTA,
    /** 408, 5xx: retry with backoff. */
    TRANSIENT,
    /** The request itself is wrong: fail the item, never retry. */
    INVALID_REQUEST,
    /** Credentials rejected or not allowed: the provider is unusable. */
    AUTH,
    /** Wrong model id or endpoint: the provider is unusable for that model. */
    MODEL_NOT_FOUND
}
