package io.github.geminiimagebatch.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Built-in defaults: the lowest layer of configuration. config/application.properties documents each one. */
final class Defaults {

    static final Map<String, String> VALUES;

    /** Leaf names that environment variables cannot spell in camel case. */
    private static final Set<String> CAMEL_LEAVES = Set.of("apiKey", "baseUrl", "authHeader", "imageLimits",
            "maxConcurrency", "credentialsFile", "resetZone", "aspectRatio", "imageSize", "accessKey", "secretKey",
            "pathStyle", "maxUsd", "maxUsdPerDay", "maxAttempts", "responseTimeout", "connectTimeout",
            "maxFileBytes", "maxItemsPerFile", "maxPromptChars", "maxReferenceImages", "maxReferenceImageBytes",
            "stableTime", "pollDelay", "latencyMs", "imageMode", "routeTemplate", "redisUrl", "claimLease");

    private static final Set<String> SECRET_LEAVES = Set.of("apikey", "secretkey", "accesskey", "password", "token");

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("imagegen.inbox", "inbox");
        d.put("imagegen.outbox", "outbox");
        d.put("imagegen.providers", "auto");
        d.put("imagegen.model", "gemini-3.1-flash-image");
        d.put("imagegen.aspectRatio", "1:1");
        d.put("imagegen.imageSize", "1K");
        d.put("imagegen.concurrency", "16");
        d.put("imagegen.once", "false");
        d.put("imagegen.inbox.pollDelayMillis", "1000");
        d.put("imagegen.inbox.stableMillis", "1000");
        d.put("imagegen.retry.maxAttempts", "6");
        d.put("imagegen.http.connectTimeout", "10s");
        d.put("imagegen.http.responseTimeout", "180s");
        d.put("imagegen.shutdown.timeout", "30s");
        d.put("imagegen.progress.interval", "30s");
        d.put("imagegen.pending.retryAfter", "1m");
        d.put("imagegen.pending.retryAfterMax", "30m");
        d.put("imagegen.pending.checkInterval", "5s");
        d.put("imagegen.provider.simulator.maxConcurrency", "8");
        d.put("imagegen.quota.resetZone", "America/Los_Angeles");
        d.put("imagegen.limits.maxFileBytes", "52428800");
        d.put("imagegen.limits.maxItemsPerFile", "100000");
        d.put("imagegen.limits.maxPromptChars", "20000");
        d.put("imagegen.limits.maxReferenceImages", "14");
        d.put("imagegen.limits.maxReferenceImageBytes", "20971520");
        d.put("imagegen.output.file.enabled", "true");
        d.put("imagegen.output.s3.enabled", "false");
        d.put("imagegen.output.s3.prefix", "");
        d.put("imagegen.output.s3.region", "us-east-1");
        d.put("imagegen.output.s3.pathStyle", "false");
        d.put("imagegen.output.s3.checksum", "when_supported");
        d.put("imagegen.output.uri", "");
        d.put("imagegen.simulator.latencyMs", "200,100");
        d.put("imagegen.shared.redisUrl", "");
        d.put("imagegen.shared.claimLease", "60s");
        d.put("imagegen.instance", "");
        d.put("imagegen.simulator.imageMode", "flat");
        VALUES = Map.copyOf(d);
    }

    private Defaults() {
    }

    static String camelLeaf(String lowerCaseLeaf) {
        for (String leaf : CAMEL_LEAVES) {
            if (leaf.toLowerCase(Locale.ROOT).equals(lowerCaseLeaf)) {
                return leaf;
            }
        }
        return lowerCaseLeaf;
    }

    static boolean isSecretKey(String key) {
        String leaf = key.substring(key.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return SECRET_LEAVES.contains(leaf);
    }
}
