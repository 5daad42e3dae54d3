package io.github.geminiimagebatch.quota;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ThrottleClassifierTest {

    private static final Instant NOW = Instant.parse("2026-03-10T17:00:00Z");
    private static final Function<String, String> NO_HEADERS = name -> null;

    static String quotaFailure(String quotaId, String quotaValue, String retryDelay, String message) {
        return """
                {"error":{"code":429,"status":"RESOURCE_EXHAUSTED",
                  "message":"%s",
                  "details":[
                    {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[
                      {"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests",
                       "quotaId":"%s",
                       "quotaDimensions":{"location":"global","model":"gemini-2.5-flash-image"}%s}]},
                    {"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Learn more about Gemini API quotas","url":"https://ai.google.dev/gemini-api/docs/rate-limits"}]},
                    {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"%s"}]}}
                """.formatted(message, quotaId, quotaValue == null ? "" : ",\"quotaValue\":\"" + quotaValue + "\"", retryDelay);
    }

    private static ThrottleSignal classify(String body) {
        return ThrottleClassifier.classify(body, NO_HEADERS, NOW);
    }

    @Test
    void perMinuteQuotaFailureWithTheMessagesPreciseDelay() {
        ThrottleSignal signal = classify(quotaFailure("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", "10", "17s",
                "You exceeded your current quota, please check your plan and billing details. Please retry in 17.482913s."));
        assertThat(signal.kind()).isEqualTo(ThrottleKind.PER_MINUTE);
        assertThat(signal.retryAfter()).isEqualTo(Duration.parse("PT17.482913S"));
        assertThat(signal.limit()).isEqualTo(10L);
        assertThat(signal.zeroLimit()).isFalse();
        assertThat(signal.quotaId()).isEqualTo("GenerateRequestsPerMinutePerProjectPerModel-FreeTier");
        assertThat(signal.summary()).isEqualTo("429 per-minute request quota exceeded"
                + " (GenerateRequestsPerMinutePerProjectPerModel-FreeTier, limit 10); server said retry in 18 s");
    }

    @Test
    void fractionalRetryInfoIsTakenAsIs() {
        ThrottleSignal signal = classify(quotaFailure("GenerateRequestsPerMinutePerProjectPerModel", "10", "45.837906927s", "x"));
        assertThat(signal.retryAfter()).isEqualTo(Duration.ofSeconds(45, 837_906_927));
    }

    @Test
    void wholeSecondRetryInfoAloneGetsASecondMoreBecauseGoogleTruncatesIt() {
        ThrottleSignal signal = classify(quotaFailure("GenerateRequestsPerMinutePerProjectPerModel", "10", "17s", "quota"));
        assertThat(signal.retryAfter()).isEqualTo(Duration.ofSeconds(18));
    }

    @Test
    void theLargerOfRetryInfoAndMessageWins() {
        ThrottleSignal signal = classify(quotaFailure("GenerateRequestsPerMinutePerProjectPerModel", "10", "20.5s",
                "Please retry in 17.482913s."));
        assertThat(signal.retryAfter()).isEqualTo(Duration.ofMillis(20_500));
    }

    @ParameterizedTest
    @CsvSource({
            "GenerateRequestsPerMinutePerProjectPerModel-FreeTier, PER_MINUTE",
            "GenerateRequestsPerMinutePerProjectPerModel-PaidTier, PER_MINUTE",
            "GenerateRequestsPerDayPerProjectPerModel-FreeTier, PER_DAY",
            "GenerateContentInputTokensPerModelPerMinute-FreeTier, TOKENS_PER_MINUTE",
            "GenerateContentOutputImagesPerMinutePerProjectPerModel-FreeTier, IMAGES_PER_MINUTE",
            "GenerateContentRequestsPerMinutePerProjectPerRegion, PER_MINUTE",
            "SomethingNew-FreeTier, UNKNOWN",
    })
    void theQuotaIdNamesTheKind(String quotaId, ThrottleKind kind) {
        assertThat(classify(quotaFailure(quotaId, "5", "3s", "m")).kind()).isEqualTo(kind);
    }

    @Test
    void perDayWinsOverPerMinuteWhenBothAreViolated() {
        String body = """
                {"error":{"code":429,"status":"RESOURCE_EXHAUSTED",
                  "message":"You exceeded your current quota.\\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 10, model: gemini-2.5-flash-image\\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 100, model: gemini-2.5-flash-image\\nPlease retry in 31.2s.",
                  "details":[
                    {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"31s"},
                    {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[
                      {"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":"GenerateRequestsPerMinutePerProjectPerModel-FreeTier"},
                      {"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":"GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]}]}}
                """;
        ThrottleSignal signal = classify(body);
        assertThat(signal.kind()).isEqualTo(ThrottleKind.PER_DAY);
        assertThat(signal.quotaId()).isEqualTo("GenerateRequestsPerDayPerProjectPerModel-FreeTier");
        assertThat(signal.limit()).as("limits in the message pair with the violations in order").isEqualTo(100L);
        assertThat(signal.retryAfter()).isEqualTo(Duration.ofMillis(31_200));
    }

    @Test
    void imagesPerMinuteAndRequestsPerMinuteTogetherPicksRequests() {
        String body = """
                {"error":{"code":429,"message":"m","status":"RESOURCE_EXHAUSTED","details":[
                  {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[
                    {"quotaId":"GenerateContentOutputImagesPerMinutePerProjectPerModel-FreeTier","quotaValue":"8"},
                    {"quotaId":"GenerateRequestsPerMinutePerProjectPerModel-FreeTier","quotaValue":"10"}]}]}}
                """;
        ThrottleSignal signal = classify(body);
        assertThat(signal.kind()).isEqualTo(ThrottleKind.PER_MINUTE);
        assertThat(signal.limit()).isEqualTo(10L);
        assertThat(signal.retryAfter()).isNull();
    }

    @Test
    void limitZeroInTheMessageMeansNoQuotaAtAll() {
        String body = """
                {"error":{"code":429,"status":"RESOURCE_EXHAUSTED",
                  "message":"You exceeded your current quota, please check your plan and billing details.\\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_input_token_count, limit: 0, model: gemini-3-pro-image\\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: gemini-3-pro-image\\nPlease retry in 38.1s.",
                  "details":[
                    {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[
                      {"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_input_token_count","quotaId":"GenerateContentInputTokensPerModelPerMinute-FreeTier"},
                      {"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":"GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]},
                    {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"38s"}]}}
                """;
        ThrottleSignal signal = classify(body);
        assertThat(signal.zeroLimit()).isTrue();
        assertThat(signal.limit()).isZero();
        assertThat(signal.summary()).startsWith("429 quota is 0 for this model");
    }

    @Test
    void quotaValueZeroMeansNoQuotaAtAll() {
        ThrottleSignal signal = classify(quotaFailure("GenerateRequestsPerDayPerProjectPerModel-FreeTier", "0", "20s", "m"));
        assertThat(signal.zeroLimit()).isTrue();
    }

    @Test
    void singleLimitInTheMessageIsTheLimitWhenTheViolationHasNoValue() {
        ThrottleSignal signal = classify(quotaFailure("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", null, "5s",
                "* Quota exceeded for metric: x, limit: 12, model: y"));
        assertThat(signal.limit()).isEqualTo(12L);
        assertThat(signal.zeroLimit()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
            "GenerateContentRequestsPerMinutePerProjectPerRegion, 60, PER_MINUTE",
            "GenerateContentRequestsPerDayPerProjectPerRegion, 1500, PER_DAY",
    })
    void legacyErrorInfoRateLimitExceeded(String quotaLimit, long value, ThrottleKind kind) {
        String body = """
                {"error":{"code":429,"message":"Quota exceeded for quota metric 'Generate Content API requests' and limit '%s' of service 'generativelanguage.googleapis.com'","status":"RESOURCE_EXHAUSTED",
                  "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED","domain":"googleapis.com",
                    "metadata":{"service":"generativelanguage.googleapis.com","quota_limit":"%s","quota_limit_value":"%d","consumer":"projects/123"}}]}}
                """.formatted(quotaLimit, quotaLimit, value);
        ThrottleSignal signal = classify(body);
        assertThat(signal.kind()).isEqualTo(kind);
        assertThat(signal.limit()).isEqualTo(value);
        assertThat(signal.quotaId()).isEqualTo(quotaLimit);
        assertThat(signal.retryAfter()).isNull();
    }

    @Test
    void bareResourceExhaustedIsUnknownWithoutDelay() {
        ThrottleSignal signal = classify("""
                {"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}""");
        assertThat(signal).extracting(ThrottleSignal::kind, ThrottleSignal::retryAfter, ThrottleSignal::limit,
                ThrottleSignal::zeroLimit, ThrottleSignal::quotaId)
                .containsExactly(ThrottleKind.UNKNOWN, null, null, false, null);
        assertThat(signal.summary()).isEqualTo("429 rate limit exceeded: Resource has been exhausted (e.g. check quota).");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Resource exhausted. Please try again later. Please refer to https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details.",
            "Too many requests. Exceeded the Provisioned Throughput."})
    void vertexTextIsUnknown(String message) {
        ThrottleSignal signal = classify("{\"error\":{\"code\":429,\"message\":\"" + message + "\",\"status\":\"RESOURCE_EXHAUSTED\"}}");
        assertThat(signal.kind()).isEqualTo(ThrottleKind.UNKNOWN);
        assertThat(signal.retryAfter()).isNull();
        assertThat(signal.limit()).isNull();
        assertThat(classify(message).kind()).as("plain text body").isEqualTo(ThrottleKind.UNKNOWN);
    }

    @Test
    void arrayWrappedBodiesAreUnwrapped() {
        String body = "[" + quotaFailure("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", "10", "9.5s", "m") + "]";
        ThrottleSignal signal = classify(body);
        assertThat(signal.kind()).isEqualTo(ThrottleKind.PER_MINUTE);
        assertThat(signal.retryAfter()).isEqualTo(Duration.ofMillis(9_500));
        assertThat(signal.limit()).isEqualTo(10L);
    }

    @Test
    void openRouterRetryAfterSecondsAndHeadersInMetadata() {
        ThrottleSignal signal = classify("""
                {"error":{"code":429,"message":"Rate limit exceeded","metadata":{"provider_name":"Google AI Studio",
                  "retry_after_seconds":29,"headers":{"retry-after":"31"}}}}""");
        assertThat(signal.kind()).isEqualTo(ThrottleKind.UNKNOWN);
        assertThat(signal.retryAfter()).isEqualTo(Duration.ofSeconds(31));
        ThrottleSignal secondsOnly = classify("""
                {"error":{"code":429,"message":"Rate limit exceeded","metadata":{"retry_after_seconds":"12.5"}}}""");
        assertThat(secondsOnly.retryAfter()).isEqualTo(Duration.ofMillis(12_500));
    }

    @Test
    void openRouterUpstreamGoogleErrorInRawIsReadRecursively() {
        String upstream = quotaFailure("GenerateRequestsPerDayPerProjectPerModel-FreeTier", "100", "25s", "Please retry in 25.3s.");
        String raw = upstream.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        String body = "{\"error\":{\"code\":429,\"message\":\"Provider returned error\",\"metadata\":{\"raw\":\"" + raw
                + "\",\"provider_name\":\"Google AI Studio\",\"retry_after_seconds\":29}}}";
        ThrottleSignal signal = classify(body);
        assertThat(signal.kind()).isEqualTo(ThrottleKind.PER_DAY);
        assertThat(signal.limit()).isEqualTo(100L);
        assertThat(signal.quotaId()).isEqualTo("GenerateRequestsPerDayPerProjectPerModel-FreeTier");
        assertThat(signal.retryAfter()).isEqualTo(Duration.ofSeconds(29));
    }

    @Test
    void openRouterRawUpstreamTextIsReadToo() {
        ThrottleSignal signal = classify("""
                {"error":{"code":429,"message":"Provider returned error","metadata":{"raw":"google/gemini-2.5-flash-image is temporarily rate-limited upstream. Please retry in 4.5s","provider_name":"Google"}}}""");
        assertThat(signal.kind()).isEqualTo(ThrottleKind.UNKNOWN);
        assertThat(signal.retryAfter()).isEqualTo(Duration.ofMillis(4_500));
        assertThat(signal.summary()).contains("temporarily rate-limited upstream");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Retry-After", "retry-after", "RETRY-AFTER"})
    void retryAfterHeaderInSecondsAnyCase(String headerName) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put(headerName, "7");
        ThrottleSignal signal = ThrottleClassifier.classify("{\"error\":{\"code\":429,\"message\":\"slow down\"}}", headers::get, NOW);
        assertThat(signal.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void retryAfterHeaderAsHttpDate() {
        Function<String, String> headers = name -> name.equalsIgnoreCase("retry-after") ? "Tue, 10 Mar 2026 17:01:30 GMT" : null;
        assertThat(ThrottleClassifier.classify("", headers, NOW).retryAfter()).isEqualTo(Duration.ofSeconds(90));
        Function<String, String> past = name -> "Tue, 10 Mar 2026 16:00:00 GMT";
        assertThat(ThrottleClassifier.classify("", past, NOW).retryAfter()).isEqualTo(Duration.ZERO);
        Function<String, String> garbage = name -> "soon";
        assertThat(ThrottleClassifier.classify("", garbage, NOW).retryAfter()).isNull();
    }

    @Test
    void headerAndBodyTogetherTakeTheLonger() {
        Function<String, String> headers = name -> "60";
        ThrottleSignal signal = ThrottleClassifier.classify(
                quotaFailure("GenerateRequestsPerMinutePerProjectPerModel", "10", "12.5s", "m"), headers, NOW);
        assertThat(signal.retryAfter()).isEqualTo(Duration.ofSeconds(60));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "<html><body>Too Many Requests</body></html>", "{", "[]", "[1,2]", "null", "42",
            "{\"error\":null}", "{\"error\":[1]}", "{\"error\":{\"details\":\"oops\",\"message\":5}}",
            "{\"error\":{\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"soon\"}]}}",
            "{\"error\":{\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":\"x\"}]}}",
            "{\"error\":{\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{\"quotaValue\":\"lots\"}]}]}}",
            "{\"error\":{\"metadata\":{\"raw\":\"{\\\"error\\\":\"}}}", "\u0000\u0001\u00ff binary",
            "{\"error\":{\"message\":\"limit: 99999999999999999999999 retry in 99999999999999999999999s\"}}",
            "{\"error\":{\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"99999999999999999999999s\"}]}}"})
    void garbageIsUnknownAndNeverThrows(String body) {
        ThrottleSignal signal = classify(body);
        assertThat(signal.kind()).isEqualTo(ThrottleKind.UNKNOWN);
        assertThat(signal.retryAfter()).isNull();
        assertThat(signal.summary()).startsWith("429 rate limit exceeded");
    }

    @Test
    void nullBodyAndNullHeaderLookupAreFine() {
        assertThat(ThrottleClassifier.classify(null, null, NOW).kind()).isEqualTo(ThrottleKind.UNKNOWN);
    }

    @Test
    void deeplyNestedRawStopsInsteadOfRecursingForever() {
        String body = "{\"error\":{\"message\":\"Please retry in 3s\"}}";
        for (int i = 0; i < 10; i++) {
            body = "{\"error\":{\"message\":\"wrap\",\"metadata\":{\"raw\":\"" + body.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}}}";
        }
        assertThat(classify(body).retryAfter()).isNull();
    }

    @Test
    void summaryNeverCarriesAKeyFromTheMessage() {
        ThrottleSignal signal = classify("{\"error\":{\"code\":429,\"message\":\"slow down key=AIzaSyA1234567890abcdefghijklmnopqrstu and Bearer ya29.secret\"}}");
        assertThat(signal.summary()).doesNotContain("AIzaSy").doesNotContain("ya29.secret");
    }

    @Test
    void textPerDayAndPerMinuteAreReadWhenNoDetailsSayIt() {
        assertThat(classify("{\"error\":{\"code\":429,\"message\":\"Quota exceeded: requests per day\"}}").kind())
                .isEqualTo(ThrottleKind.PER_DAY);
        assertThat(classify("{\"error\":{\"code\":429,\"message\":\"Too many images per minute\"}}").kind())
                .isEqualTo(ThrottleKind.IMAGES_PER_MINUTE);
        assertThat(classify("{\"error\":{\"code\":429,\"message\":\"input tokens per minute exceeded\"}}").kind())
                .isEqualTo(ThrottleKind.TOKENS_PER_MINUTE);
        assertThat(classify("{\"error\":{\"code\":429,\"message\":\"requests per minute exceeded, limit: 15\"}}"))
                .extracting(ThrottleSignal::kind, ThrottleSignal::limit).containsExactly(ThrottleKind.PER_MINUTE, 15L);
    }

    @Test
    void retryInWithMinutes() {
        assertThat(classify("{\"error\":{\"code\":429,\"message\":\"Please retry in 1m2.5s.\"}}").retryAfter())
                .isEqualTo(Duration.ofMillis(62_500));
        assertThat(classify("{\"error\":{\"code\":429,\"message\":\"Please retry in 750ms.\"}}").retryAfter())
                .isEqualTo(Duration.ofMillis(750));
    }

    @Test
    void limitZeroAnywhereInTheMessageIsZeroEvenWhenItCannotBePairedWithAViolation() {
        String body = """
                {"error":{"code":429,"message":"* metric a, limit: 0\\n* metric b, limit: 0","details":[
                  {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[
                    {"quotaId":"GenerateRequestsPerMinutePerProjectPerModel-FreeTier"},
                    {"quotaId":"GenerateRequestsPerDayPerProjectPerModel-FreeTier"},
                    {"quotaId":"GenerateContentInputTokensPerModelPerMinute-FreeTier"}]}]}}""";
        ThrottleSignal signal = classify(body);
        assertThat(signal.zeroLimit()).isTrue();
        assertThat(signal.limit()).isZero();
        assertThat(signal.quotaId()).isEqualTo("GenerateRequestsPerDayPerProjectPerModel-FreeTier");
    }

    @Test
    void rawLineBreaksInsideJsonStringsAreTolerated() {
        ThrottleSignal signal = classify("{\"error\":{\"code\":429,\"message\":\"line one\nPlease retry in 2s\",\"details\":["
                + "{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{\"quotaId\":\"RequestsPerMinute\",\"quotaValue\":\"4\"}]}]}}");
        assertThat(signal.limit()).isEqualTo(4L);
        assertThat(signal.kind()).isEqualTo(ThrottleKind.PER_MINUTE);
    }

    @Test
    void retryInWordsIsReadToo() {
        assertThat(classify("{\"error\":{\"code\":429,\"message\":\"Please retry in 5 seconds.\"}}").retryAfter())
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(classify("{\"error\":{\"code\":429,\"message\":\"Please retry in 2 minutes 3 seconds\"}}").retryAfter())
                .isEqualTo(Duration.ofSeconds(123));
    }

    @Test
    void retryDelayInObjectForm() {
        String body = """
                {"error":{"code":429,"message":"m","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":{"seconds":4,"nanos":500000000}}]}}""";
        assertThat(classify(body).retryAfter()).isEqualTo(Duration.ofMillis(4_500));
    }
}
