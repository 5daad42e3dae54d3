package io.github.geminiimagebatch.quota;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FailureClassifierTest {

    private static final Instant NOW = Instant.parse("2026-03-10T17:00:00Z");
    private static final Function<String, String> NO_HEADERS = name -> null;

    private static ProviderFailure classify(int status, String body) {
        return FailureClassifier.classify(status, body, NO_HEADERS, NOW);
    }

    private static String google(int code, String status, String message) {
        return "{\"error\":{\"code\":" + code + ",\"message\":\"" + message + "\",\"status\":\"" + status + "\"}}";
    }

    @Test
    void invalidArgumentFailsTheItem() {
        ProviderFailure failure = classify(400, google(400, "INVALID_ARGUMENT",
                "Unsupported aspect ratio 7:3. Supported: 1:1, 2:3, 3:2"));
        assertThat(failure.kind()).isEqualTo(FailureKind.INVALID_REQUEST);
        assertThat(failure.reasonClass()).isEqualTo("invalid_request");
        assertThat(failure.throttle()).isNull();
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.message()).isEqualTo(
                "the request was rejected (HTTP 400 INVALID_ARGUMENT: Unsupported aspect ratio 7:3. Supported: 1:1, 2:3, 3:2)");
    }

    @Test
    void failedPreconditionFailsTheItem() {
        assertThat(classify(400, google(400, "FAILED_PRECONDITION", "User location is not supported for the API use.")).kind())
                .isEqualTo(FailureKind.INVALID_REQUEST);
    }

    @Test
    void apiKeyInvalidIsAnAuthProblemEvenThoughItIs400() {
        String body = """
                {"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT",
                  "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com",
                    "metadata":{"service":"generativelanguage.googleapis.com"}}]}}""";
        ProviderFailure failure = classify(400, body);
        assertThat(failure.kind()).isEqualTo(FailureKind.AUTH);
        assertThat(failure.reasonClass()).isEqualTo("auth");
        assertThat(failure.message()).contains("API key not valid").contains("apiKey");
    }

    @Test
    void apiKeyMessageAloneIsEnoughForAuth() {
        assertThat(classify(400, google(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.")).kind())
                .isEqualTo(FailureKind.AUTH);
        assertThat(classify(400, google(400, "INVALID_ARGUMENT", "API key expired. Please renew the API key.")).kind())
                .isEqualTo(FailureKind.AUTH);
    }

    @ParameterizedTest
    @CsvSource({"401, UNAUTHENTICATED", "403, PERMISSION_DENIED"})
    void unauthorizedAndForbiddenAreAuth(int status, String grpc) {
        ProviderFailure failure = classify(status, google(status, grpc, "Your API key was reported as leaked."));
        assertThat(failure.kind()).isEqualTo(FailureKind.AUTH);
        assertThat(failure.reasonClass()).isEqualTo("auth");
        assertThat(failure.retryable()).isFalse();
    }

    @Test
    void notFoundIsModelNotFound() {
        ProviderFailure failure = classify(404, google(404, "NOT_FOUND",
                "models/gemini-9-image is not found for API version v1beta"));
        assertThat(failure.kind()).isEqualTo(FailureKind.MODEL_NOT_FOUND);
        assertThat(failure.reasonClass()).isEqualTo("model_not_found");
        assertThat(failure.message()).contains("gemini-9-image").contains("model id");
    }

    @Test
    void throttledCarriesTheSignal() {
        ProviderFailure failure = classify(429, ThrottleClassifierTest.quotaFailure(
                "GenerateRequestsPerMinutePerProjectPerModel-FreeTier", "10", "17s", "Please retry in 17.4s."));
        assertThat(failure.kind()).isEqualTo(FailureKind.THROTTLED);
        assertThat(failure.reasonClass()).isEqualTo("quota_minute");
        assertThat(failure.throttle().kind()).isEqualTo(ThrottleKind.PER_MINUTE);
        assertThat(failure.retryable()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({
            "GenerateRequestsPerDayPerProjectPerModel-FreeTier, quota_daily",
            "GenerateContentInputTokensPerModelPerMinute-FreeTier, quota_tokens",
            "GenerateContentOutputImagesPerMinutePerProjectPerModel-FreeTier, quota_images",
            "Mystery, rate_limited",
    })
    void throttleReasonClassFollowsTheKind(String quotaId, String reasonClass) {
        assertThat(classify(429, ThrottleClassifierTest.quotaFailure(quotaId, "5", "3s", "m")).reasonClass())
                .isEqualTo(reasonClass);
    }

    @Test
    void limitZeroIsZeroQuotaWithAConfigurationMessage() {
        ProviderFailure failure = classify(429, ThrottleClassifierTest.quotaFailure(
                "GenerateRequestsPerDayPerProjectPerModel-FreeTier", null, "30s",
                "* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: gemini-3-pro-image"));
        assertThat(failure.kind()).isEqualTo(FailureKind.ZERO_QUOTA);
        assertThat(failure.reasonClass()).isEqualTo("quota_zero");
        assertThat(failure.throttle().zeroLimit()).isTrue();
        assertThat(failure.message()).contains("configuration problem").contains("enable billing").contains("another model");
        assertThat(failure.retryable()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"408, timeout", "500, server_error", "502, server_error", "503, overloaded", "504, timeout",
            "507, server_error", "599, server_error"})
    void serverSideTroubleIsTransient(int status, String reasonClass) {
        ProviderFailure failure = classify(status, google(status, "UNAVAILABLE", "The model is overloaded. Please try again later."));
        assertThat(failure.kind()).isEqualTo(FailureKind.TRANSIENT);
        assertThat(failure.reasonClass()).isEqualTo(reasonClass);
        assertThat(failure.retryable()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {405, 409, 413, 415, 422, 451})
    void otherClientErrorsAreInvalidRequests(int status) {
        assertThat(classify(status, "").kind()).isEqualTo(FailureKind.INVALID_REQUEST);
    }

    @Test
    void openRouterErrorInsideA200UsesTheBodysCode() {
        assertThat(classify(200, "{\"error\":{\"code\":429,\"message\":\"Rate limit exceeded\",\"metadata\":{\"retry_after_seconds\":5}}}").kind())
                .isEqualTo(FailureKind.THROTTLED);
        assertThat(classify(200, "{\"error\":{\"code\":502,\"message\":\"Upstream error\"}}").kind())
                .isEqualTo(FailureKind.TRANSIENT);
    }

    @Test
    void secretsNeverReachTheMessage() {
        String body = "{\"error\":{\"code\":400,\"message\":\"bad request https://x/v1beta/models/m:generateContent?key=AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI&alt=sse"
                + " header x-goog-api-key: AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI Authorization: Bearer ya29.a0AfH6SMBx-abc.def sk-or-v1-0123456789abcdef0123456789abcdef\",\"status\":\"INVALID_ARGUMENT\"}}";
        ProviderFailure failure = classify(400, body);
        assertThat(failure.message())
                .doesNotContain("AIzaSy").doesNotContain("ya29").doesNotContain("sk-or-v1-0123")
                .doesNotContain("SMBx").contains("***").contains("alt=sse");
    }

    @Test
    void plainTextAndHtmlBodiesAreNotEchoedBlindly() {
        assertThat(classify(502, "<html><body>Bad Gateway</body></html>").message())
                .isEqualTo("server error (HTTP 502: (body is not a JSON error))");
        assertThat(classify(500, "upstream connect error\nsecond line").message())
                .isEqualTo("server error (HTTP 500: upstream connect error)");
        assertThat(classify(500, null).message()).isEqualTo("server error (HTTP 500)");
    }

    @Test
    void longMessagesAreCut() {
        String message = "x".repeat(2_000);
        assertThat(classify(400, google(400, "INVALID_ARGUMENT", message)).message()).hasSizeLessThan(400).contains("…");
    }

    @Test
    void arrayWrappedErrorsAreRead() {
        ProviderFailure failure = classify(400, "[" + google(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.") + "]");
        assertThat(failure.kind()).isEqualTo(FailureKind.AUTH);
    }
}
