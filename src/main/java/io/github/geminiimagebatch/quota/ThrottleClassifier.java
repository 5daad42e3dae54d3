package io.github.geminiimagebatch.quota;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.geminiimagebatch.time.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a 429 (body and headers) into a {@link ThrottleSignal}: which quota, how long to wait,
 * whether the quota is zero, and the quota's value.
 *
 * <p>Understands Google's QuotaFailure + RetryInfo details, the "Please retry in 17.48s" and
 * "limit: N" parts of the message, legacy ErrorInfo RATE_LIMIT_EXCEEDED metadata, bare and
 * Vertex 429s, array-wrapped bodies, OpenRouter's metadata (retry_after_seconds, headers,
 * the upstream error as a string in raw) and the HTTP Retry-After header. Never throws on a
 * malformed body: what cannot be read is UNKNOWN.
 */
public final class ThrottleClassifier {

    private static final Pattern RETRY_IN = Pattern.compile(
            "(?i)retry in\\s+((?:\\d+(?:\\.\\d+)?\\s*(?:ms|hours?|h|minutes?|mins?|m|seconds?|secs?|s)(?![a-z])\\s*)+)");
    private static final Pattern LIMIT_IN_MESSAGE = Pattern.compile("(?i)\\blimit:\\s*(\\d{1,18})\\b");
    private static final Pattern PROTOBUF_DURATION = Pattern.compile("\\s*(\\d{1,12})(?:\\.(\\d{1,9}))?s\\s*");
    private static final Pattern SECONDS = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*");
    private static final Pattern TEXT_PER_DAY = Pattern.compile("(?i)\\bper[ _-]?day\\b");
    private static final Pattern TEXT_IMAGES_PER_MINUTE = Pattern.compile("(?i)\\bimages?[ _-]?per[ _-]?minute\\b");
    private static final Pattern TEXT_TOKENS_PER_MINUTE = Pattern.compile("(?i)\\btokens?[ _-]?per[ _-]?minute\\b");
    private static final Pattern TEXT_PER_MINUTE = Pattern.compile("(?i)\\bper[ _-]?minute\\b");
    /** How deep OpenRouter-style wrapping (an error inside metadata.raw) is followed. */
    private static final int MAX_NESTING = 3;
    private static final Duration TRUNCATION_ALLOWANCE = Duration.ofSeconds(1);

    private ThrottleClassifier() {
    }

    /**
     * @param body         the response body, may be null or not JSON
     * @param headerLookup case-insensitive header lookup, may be null or return null
     * @param now          to turn an HTTP-date Retry-After into a wait
     */
    public static ThrottleSignal classify(String body, Function<String, String> headerLookup, Instant now) {
        Findings findings = new Findings();
        read(body, findings, 0);
        if (headerLookup != null) {
            findings.addStatedDelay(retryAfterHeader(headerLookup.apply("Retry-After"), now));
        }
        return findings.toSignal();
    }

    private static void read(String body, Findings findings, int depth) {
        ErrorBody error = ErrorBody.parse(body);
        List<Violation> violations = new ArrayList<>();
        for (JsonNode quotaFailure : error.details("QuotaFailure")) {
            for (JsonNode violation : quotaFailure.path("violations")) {
                String quotaId = ErrorBody.text(violation, "quotaId");
                String metric = ErrorBody.text(violation, "quotaMetric");
                String name = quotaId != null ? quotaId : metric;
                violations.add(new Violation(kindOfQuotaName(name), name, number(ErrorBody.text(violation, "quotaValue"))));
            }
        }
        for (JsonNode info : error.details("ErrorInfo")) {
            JsonNode metadata = info.path("metadata");
            String quotaLimit = ErrorBody.text(metadata, "quota_limit");
            if (quotaLimit != null) {
                violations.add(new Violation(kindOfQuotaName(quotaLimit), quotaLimit,
                        number(ErrorBody.text(metadata, "quota_limit_value"))));
            }
        }
        List<Long> limitsInMessage = new ArrayList<>();
        Matcher limitMatcher = LIMIT_IN_MESSAGE.matcher(error.message);
        while (limitMatcher.find()) {
            limitsInMessage.add(Long.parseLong(limitMatcher.group(1)));
        }
        fillLimitsFromMessage(violations, limitsInMessage);
        findings.violations.addAll(violations);
        // Any metric at "limit: 0" means the tier has no access, whatever else was exceeded.
        findings.zeroInMessage |= limitsInMessage.contains(0L);
        if (violations.isEmpty()) {
            ThrottleKind textKind = kindOfText(error.message);
            findings.textKinds.add(textKind);
            if (limitsInMessage.size() == 1) {
                findings.violations.add(new Violation(textKind, null, limitsInMessage.get(0)));
            }
        }

        for (JsonNode retryInfo : error.details("RetryInfo")) {
            findings.addRetryInfoDelay(protobufDuration(retryInfo.get("retryDelay")));
        }
        Matcher retryIn = RETRY_IN.matcher(error.message);
        if (retryIn.find()) {
            findings.addStatedDelay(Durations.parse(retryIn.group(1).replace(" ", "")).orElse(null));
        }
        JsonNode metadata = error.metadata();
        if (metadata != null && metadata.isObject()) {
            findings.addStatedDelay(seconds(ErrorBody.text(metadata, "retry_after_seconds")));
            findings.addStatedDelay(seconds(ErrorBody.textIgnoringCase(metadata.get("headers"), "Retry-After")));
            String raw = ErrorBody.text(metadata, "raw");
            if (raw != null && depth < MAX_NESTING) {
                read(raw, findings, depth + 1);
            }
        }
        // The innermost message is the upstream's own words (OpenRouter wraps Google's error in raw).
        if (!error.message.isBlank() && depth >= findings.messageDepth) {
            findings.message = error.message;
            findings.messageDepth = depth;
        }
    }

    /** Pairs "limit: N" from the message with violations that carry no value (Google lists them in order). */
    private static void fillLimitsFromMessage(List<Violation> violations, List<Long> limitsInMessage) {
        if (limitsInMessage.isEmpty()) {
            return;
        }
        for (int i = 0; i < violations.size(); i++) {
            Violation violation = violations.get(i);
            if (violation.limit != null) {
                continue;
            }
            Long limit = null;
            if (limitsInMessage.size() == violations.size()) {
                limit = limitsInMessage.get(i);
            } else if (limitsInMessage.size() == 1 && violations.size() == 1) {
                limit = limitsInMessage.get(0);
            }
            violations.set(i, new Violation(violation.kind, violation.quotaId, limit));
        }
    }

    /** Quota ids such as GenerateRequestsPerMinutePerProjectPerModel-FreeTier or ...OutputImagesPerMinute... */
    static ThrottleKind kindOfQuotaName(String name) {
        if (name == null) {
            return ThrottleKind.UNKNOWN;
        }
        String normalized = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
        if (normalized.contains("perday")) {
            return ThrottleKind.PER_DAY;
        }
        if (normalized.contains("perminute")) {
            if (normalized.contains("image")) {
                return ThrottleKind.IMAGES_PER_MINUTE;
            }
            if (normalized.contains("token")) {
                return ThrottleKind.TOKENS_PER_MINUTE;
            }
            return ThrottleKind.PER_MINUTE;
        }
        return ThrottleKind.UNKNOWN;
    }

    private static ThrottleKind kindOfText(String text) {
        if (TEXT_PER_DAY.matcher(text).find()) {
            return ThrottleKind.PER_DAY;
        }
        if (TEXT_IMAGES_PER_MINUTE.matcher(text).find()) {
            return ThrottleKind.IMAGES_PER_MINUTE;
        }
        if (TEXT_TOKENS_PER_MINUTE.matcher(text).find()) {
            return ThrottleKind.TOKENS_PER_MINUTE;
        }
        if (TEXT_PER_MINUTE.matcher(text).find()) {
            return ThrottleKind.PER_MINUTE;
        }
        return ThrottleKind.UNKNOWN;
    }

    /** "17s", "45.837906927s", or the {seconds, nanos} object form. */
    private static Duration protobufDuration(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isObject()) {
            long seconds = node.path("seconds").asLong(0);
            long nanos = node.path("nanos").asLong(0);
            return seconds < 0 || nanos < 0 ? null : Duration.ofSeconds(seconds, nanos);
        }
        Matcher matcher = PROTOBUF_DURATION.matcher(node.asText());
        if (!matcher.matches()) {
            return null;
        }
        String fraction = matcher.group(2) == null ? "" : matcher.group(2);
        long nanos = fraction.isEmpty() ? 0 : Long.parseLong((fraction + "000000000").substring(0, 9));
        return Duration.ofSeconds(Long.parseLong(matcher.group(1)), nanos);
    }

    private static Duration seconds(String text) {
        if (text == null || !SECONDS.matcher(text).matches()) {
            return null;
        }
        return Duration.ofNanos(Math.round(Double.parseDouble(text.trim()) * 1e9));
    }

    /** Retry-After: delay-seconds or an HTTP-date (RFC 9110). */
    static Duration retryAfterHeader(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        Duration seconds = seconds(value);
        if (seconds != null) {
            return seconds;
        }
        try {
            Instant date = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration wait = Duration.between(now, date);
            return wait.isNegative() ? Duration.ZERO : wait;
        } catch (DateTimeParseException notADate) {
            return null;
        }
    }

    private static Long number(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }

    private record Violation(ThrottleKind kind, String quotaId, Long limit) {
        boolean zero() {
            return limit != null && limit == 0;
        }
    }

    private static final class Findings {
        final List<Violation> violations = new ArrayList<>();
        final List<ThrottleKind> textKinds = new ArrayList<>();
        Duration retryInfoDelay;
        Duration preciseDelay;
        String message;
        int messageDepth;
        boolean zeroInMessage;

        void addRetryInfoDelay(Duration delay) {
            retryInfoDelay = max(retryInfoDelay, delay);
        }

        /** A wait stated to the fraction (message, OpenRouter metadata, Retry-After header). */
        void addStatedDelay(Duration delay) {
            preciseDelay = max(preciseDelay, delay);
        }

        /**
         * The longest stated wait. Google cuts RetryInfo to whole seconds below the message's
         * value; when nothing more precise was said, a whole-second RetryInfo gets one more second.
         */
        Duration retryAfter() {
            Duration retryInfo = retryInfoDelay;
            if (retryInfo != null && retryInfo.getNano() == 0 && preciseDelay == null) {
                retryInfo = retryInfo.plus(TRUNCATION_ALLOWANCE);
            }
            return max(retryInfo, preciseDelay);
        }

        ThrottleSignal toSignal() {
            Violation primary = violations.stream().filter(Violation::zero).findFirst()
                    .orElseGet(() -> violations.stream()
                            .min(Comparator.comparingInt(v -> rank(v.kind))).orElse(null));
            ThrottleKind textKind = textKinds.stream()
                    .min(Comparator.comparingInt(ThrottleClassifier::rank)).orElse(ThrottleKind.UNKNOWN);
            ThrottleKind kind = primary == null || primary.kind == ThrottleKind.UNKNOWN ? textKind : primary.kind;
            boolean zeroLimit = zeroInMessage || primary != null && primary.zero();
            String quotaId = primary == null ? null : primary.quotaId;
            Long limit = zeroLimit ? Long.valueOf(0) : primary == null ? null : primary.limit;
            Duration retryAfter = retryAfter();
            return new ThrottleSignal(kind, retryAfter, zeroLimit, quotaId, limit,
                    summary(kind, zeroLimit, quotaId, limit, retryAfter, message));
        }

        private static Duration max(Duration a, Duration b) {
            if (a == null) {
                return b;
            }
            return b == null || a.compareTo(b) >= 0 ? a : b;
        }
    }

    /** Strictest first: a per-day violation decides over per-minute ones. */
    private static int rank(ThrottleKind kind) {
        return switch (kind) {
            case PER_DAY -> 0;
            case PER_MINUTE -> 1;
            case IMAGES_PER_MINUTE -> 2;
            case TOKENS_PER_MINUTE -> 3;
            case UNKNOWN -> 4;
        };
    }

    static String describe(ThrottleKind kind) {
        return switch (kind) {
            case PER_MINUTE -> "per-minute request quota";
            case PER_DAY -> "per-day request quota";
            case TOKENS_PER_MINUTE -> "per-minute token quota";
            case IMAGES_PER_MINUTE -> "per-minute image quota";
            case UNKNOWN -> "rate limit";
        };
    }

    private static String summary(ThrottleKind kind, boolean zeroLimit, String quotaId, Long limit,
                                  Duration retryAfter, String message) {
        StringBuilder text = new StringBuilder("429 ");
        if (zeroLimit) {
            text.append("quota is 0 for this model");
        } else {
            text.append(describe(kind)).append(" exceeded");
        }
        if (quotaId != null || limit != null) {
            text.append(" (");
            if (quotaId != null) {
                text.append(MessageText.oneLine(quotaId, 120));
            }
            if (limit != null) {
                text.append(quotaId != null ? ", " : "").append("limit ").append(limit);
            }
            text.append(')');
        }
        if (retryAfter != null) {
            text.append("; server said retry in ").append(DurationText.human(retryAfter));
        }
        if (quotaId == null && limit == null && message != null && !message.isBlank()) {
            text.append(": ").append(MessageText.oneLine(message, 160));
        }
        return text.toString();
    }
}
