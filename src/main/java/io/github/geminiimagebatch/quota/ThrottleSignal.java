package io.github.geminiimagebatch.quota;

import java.time.Duration;

/**
 * What a 429 told us.
 *
 * @param kind       which quota was exceeded (the strictest when several were)
 * @param retryAfter the longest wait the server stated, or null when it said nothing
 * @param zeroLimit  the quota is 0: the tier has no access to the model (configuration problem)
 * @param quotaId    Google's quota id or legacy quota_limit, or null
 * @param limit      the quota's value (quotaValue, quota_limit_value or "limit: N"), or null
 * @param summary    one line for logs and the manifest; built from parsed fields, no secrets
 */
public record ThrottleSignal(ThrottleKind kind, Duration retryAfter, boolean zeroLimit, String quotaId,
                             Long limit, String summary) {
}
