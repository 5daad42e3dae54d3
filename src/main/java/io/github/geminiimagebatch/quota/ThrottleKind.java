package io.github.geminiimagebatch.quota;

/** Which quota a 429 says was exceeded. */
public enum ThrottleKind {
    PER_MINUTE, PER_DAY, TOKENS_PER_MINUTE, IMAGES_PER_MINUTE, UNKNOWN
}
