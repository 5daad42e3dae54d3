package io.github.geminiimagebatch.simulator;

/** Which 429 body AI Studio endpoints send when a quota is exceeded. */
public enum QuotaStyle {
    /** QuotaFailure + Help + RetryInfo details and "Please retry in ..." (AI Studio today). */
    DETAILED,
    /** "Resource has been exhausted (e.g. check quota)." with no details and no delay. */
    BARE
}
