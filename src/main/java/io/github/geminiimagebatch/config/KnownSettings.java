package io.github.geminiimagebatch.config;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code imagegen.*} settings the bundle reads. A key outside them is a typo or a setting from
 * another version: a run with it would silently ignore what the user meant, so it is refused with the
 * closest known key.
 */
public final class KnownSettings {

    private static final Set<String> FIXED = new TreeSet<>(List.of(
            "imagegen.inbox", "imagegen.outbox", "imagegen.once", "imagegen.providers", "imagegen.model",
            "imagegen.aspectRatio", "imagegen.imageSize", "imagegen.concurrency",
            "imagegen.inbox.stableMillis", "imagegen.inbox.pollDelayMillis",
            "imagegen.retry.maxAttempts", "imagegen.http.connectTimeout", "imagegen.http.responseTimeout",
            "imagegen.shutdown.timeout", "imagegen.progress.interval",
            "imagegen.pending.retryAfter", "imagegen.pending.retryAfterMax", "imagegen.pending.checkInterval",
            "imagegen.quota.resetZone", "imagegen.routes.include",
            "imagegen.simulator.latencyMs", "imagegen.simulator.imageMode",
            "imagegen.limits.maxFileBytes", "imagegen.limits.maxItemsPerFile", "imagegen.limits.maxPromptChars",
            "imagegen.limits.maxReferenceImages", "imagegen.limits.maxReferenceImageBytes",
            "imagegen.output.file.enabled", "imagegen.output.uri", "imagegen.output.retryFor",
            "imagegen.output.s3.enabled", "imagegen.output.s3.bucket", "imagegen.output.s3.prefix",
            "imagegen.output.s3.region", "imagegen.output.s3.endpoint", "imagegen.output.s3.pathStyle",
            "imagegen.output.s3.checksum", "imagegen.output.s3.accessKey", "imagegen.output.s3.secretKey",
            "imagegen.output.s3.partSize",
            "imagegen.budget.maxUsd", "imagegen.budget.maxUsdPerDay",
            "imagegen.web.token",
            "imagegen.shared.redisUrl", "imagegen.shared.claimLease",
            "imagegen.instance", "imagegen.work.uri", "imagegen.work.consume", "imagegen.work.maxDeliveries",
            "imagegen.work.deadLetterUri", "imagegen.jms.url", "imagegen.results.uri",
            "imagegen.intake.uri", "imagegen.intake.batchIdle"));

    private static final Set<String> PROVIDER_LEAVES = new TreeSet<>(List.of("type", "apiKey", "baseUrl", "authHeader",
            "limits", "imageLimits", "maxConcurrency", "credentialsFile", "project", "location", "model", "overflow",
            "routeTemplate", "mode", "batch.inlineMaxBytes", "batch.itemErrors", "batch.maxItems", "batch.maxJobs",
            "batch.maxWait", "batch.pollInterval"));

    private static final Pattern PROVIDER_KEY = Pattern.compile("imagegen\\.provider\\.([^.]+)\\.(.+)");
    private static final Pattern OPEN_LEAF = Pattern.compile("(price|param)\\.[A-Za-z0-9_-]+");

    private KnownSettings() {
    }

    /** Why this key is not one the bundle reads (naming the closest known key), or empty when it is known. */
    public static Optional<String> problem(String key) {
        if (!key.startsWith("imagegen.") || FIXED.contains(key)) {
            return Optional.empty();
        }
        Matcher provider = PROVIDER_KEY.matcher(key);
        String closest;
        if (provider.matches()) {
            String leaf = provider.group(2);
            if (PROVIDER_LEAVES.contains(leaf) || OPEN_LEAF.matcher(leaf).matches()) {
                return Optional.empty();
            }
            closest = "imagegen.provider." + provider.group(1) + "." + closest(leaf, PROVIDER_LEAVES);
        } else {
            closest = closest(key, FIXED);
        }
        return Optional.of("Unknown setting " + key + ": no such setting is read, so its value would be ignored."
                + " Did you mean " + closest + "? (config/application.properties lists every setting.)");
    }

    private static String closest(String text, Set<String> candidates) {
        String lower = text.toLowerCase(Locale.ROOT);
        return candidates.stream()
                .min(Comparator.comparingInt((String c) -> distance(lower, c.toLowerCase(Locale.ROOT))).thenComparing(c -> c))
                .orElseThrow();
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
