package io.github.geminiimagebatch.simulator;

/** The three quotas Google meters per project and model for image generation. */
public enum QuotaKind {
    REQUESTS_PER_MINUTE("perMinute", "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
            "generativelanguage.googleapis.com/generate_content_free_tier_requests"),
    IMAGES_PER_MINUTE("imagesPerMinute", "GenerateContentOutputImagesPerMinutePerProjectPerModel-FreeTier",
            "generativelanguage.googleapis.com/generate_content_free_tier_output_images"),
    REQUESTS_PER_DAY("perDay", "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
            "generativelanguage.googleapis.com/generate_content_free_tier_requests");

    private final String statsName;
    private final String quotaId;
    private final String quotaMetric;

    QuotaKind(String statsName, String quotaId, String quotaMetric) {
        this.statsName = statsName;
        this.quotaId = quotaId;
        this.quotaMetric = quotaMetric;
    }

    /** Key of this quota in /sim/stats (http429ByKind, windows). */
    public String statsName() {
        return statsName;
    }

    public String quotaId() {
        return quotaId;
    }

    public String quotaMetric() {
        return quotaMetric;
    }
}
