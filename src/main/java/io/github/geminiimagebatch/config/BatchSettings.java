package io.github.geminiimagebatch.config;

import java.time.Duration;

/**
 * {@code imagegen.provider.<name>.mode=batch}: the provider's items go through Gemini Batch API jobs.
 *
 * @param maxItems          most requests in one job
 * @param maxWait           longest an item waits for others to fill its job before a smaller job is sent
 * @param pollInterval      how often a job in flight is asked for its state
 * @param maxJobs           jobs in flight at once for this provider (items beyond wait for a place)
 * @param inlineMaxBytes    jobs whose requests take more than this go through the Files API instead of inline
 * @param itemErrorsInteractive a request that failed inside a finished job is retried interactively by the
 *                          next provider in failover order, instead of in another job
 */
public record BatchSettings(int maxItems, Duration maxWait, Duration pollInterval, int maxJobs, long inlineMaxBytes,
                            boolean itemErrorsInteractive) {

    /** Google's inline limit is 20 MB for the whole create request; this leaves room for the envelope. */
    public static final long GOOGLE_INLINE_LIMIT_BYTES = 19_000_000;
    /** The Batch API costs half the interactive price. */
    public static final double PRICE_FACTOR = 0.5;
    /** Google's target time for a job; jobs not finished after 48 h expire. */
    public static final java.time.Duration GOOGLE_TARGET_TURNAROUND = java.time.Duration.ofHours(24);
    /** What a provider gets with mode=batch and no .batch.* settings. */
    public static final BatchSettings DEFAULTS = new BatchSettings(200, Duration.ofSeconds(30), Duration.ofSeconds(30), 2,
            GOOGLE_INLINE_LIMIT_BYTES, false);

    /** The provider types that speak the Gemini API, and so the Batch API. */
    public static boolean supports(ProviderType type) {
        return type == ProviderType.AISTUDIO || type == ProviderType.GATEWAY || type == ProviderType.SIMULATOR;
    }

    /** The batch settings of a provider, or null when its mode is interactive (the default). */
    static BatchSettings from(Settings settings, String prefix, ProviderType type) throws ConfigException {
        String mode = settings.find(prefix + "mode").orElse("interactive").trim();
        if (mode.equalsIgnoreCase("interactive")) {
            return null;
        }
        if (!mode.equalsIgnoreCase("batch")) {
            throw new ConfigException("The setting " + prefix + "mode is '" + mode + "'; write interactive or batch.");
        }
        if (!supports(type)) {
            throw new ConfigException("The setting " + prefix + "mode=batch needs a provider of type aistudio, gateway or simulator"
                    + " (the Gemini Batch API); this one is " + type.id() + ". Remove the setting or use another provider.");
        }
        String batch = prefix + "batch.";
        int maxItems = settings.find(batch + "maxItems").isPresent() ? settings.integer(batch + "maxItems", 1) : DEFAULTS.maxItems();
        Duration maxWait = settings.find(batch + "maxWait").isPresent() ? settings.duration(batch + "maxWait") : DEFAULTS.maxWait();
        Duration pollInterval = settings.find(batch + "pollInterval").isPresent()
                ? settings.duration(batch + "pollInterval") : DEFAULTS.pollInterval();
        if (pollInterval.toMillis() < 10) {
            throw new ConfigException("The setting " + batch + "pollInterval must be at least 10ms.");
        }
        int maxJobs = settings.find(batch + "maxJobs").isPresent() ? settings.integer(batch + "maxJobs", 1) : DEFAULTS.maxJobs();
        long inlineMax = settings.find(batch + "inlineMaxBytes").isPresent()
                ? settings.longValue(batch + "inlineMaxBytes", 0) : DEFAULTS.inlineMaxBytes();
        String itemErrors = settings.find(batch + "itemErrors").orElse("fail").trim();
        if (!itemErrors.equalsIgnoreCase("fail") && !itemErrors.equalsIgnoreCase("interactive")) {
            throw new ConfigException("The setting " + batch + "itemErrors is '" + itemErrors + "'; write fail (a request that failed"
                    + " inside a job fails, or is retried in a later job when the error is temporary) or interactive (it is retried by"
                    + " the next provider in failover order).");
        }
        return new BatchSettings(maxItems, maxWait, pollInterval, maxJobs, inlineMax, itemErrors.equalsIgnoreCase("interactive"));
    }

    /** Items of this provider that may wait in jobs at once: each holds an item worker while it waits. */
    public int itemsInFlight() {
        return maxItems * maxJobs;
    }
}
