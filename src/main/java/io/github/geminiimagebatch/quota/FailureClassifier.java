package io.github.geminiimagebatch.quota;

import java.time.Instant;
import java.util.Locale;
import java.util.function.Function;

/**
 * Turns an HTTP error (status, body, headers) into a {@link ProviderFailure}: what to do with the
 * item and the provider, the manifest reason class, and a short message without secrets.
 */
public final class FailureClassifier {

    private static final int MAX_MESSAGE_CHARS = 300;

    private FailureClassifier() {
    }

    public static ProviderFailure classify(int httpStatus, String body, Function<String, String> headerLookup,
                                           Instant now) {
        ErrorBody error = ErrorBody.parse(body);
        int status = httpStatus;
        // OpenRouter reports some upstream errors as HTTP 200 with the real code in the body.
        if (status < 400 && error.code != null && error.code >= 400) {
            status = error.code;
        }
        if (status == 429) {
            ThrottleSignal signal = ThrottleClassifier.classify(body, headerLookup, now);
            if (signal.zeroLimit()) {
                return new ProviderFailure(FailureKind.ZERO_QUOTA, signal, "quota_zero",
                        signal.summary() + ". This is a configuration problem, not something to wait out:"
                                + " enable billing on the Google Cloud project or choose another model.");
            }
            return new ProviderFailure(FailureKind.THROTTLED, signal, throttleReason(signal.kind()), signal.summary());
        }
        String detail = detail(status, error, body);
        if (status == 400 && isKeyRejected(error)) {
            return new ProviderFailure(FailureKind.AUTH, null, "auth",
                    "the API key was rejected (" + detail + "); check the provider's apiKey setting");
        }
        if (status == 401 || status == 403) {
            return new ProviderFailure(FailureKind.AUTH, null, "auth",
                    "the provider refused the credentials (" + detail + "); check the key, its project and that the API is enabled");
        }
        if (status == 404) {
            return new ProviderFailure(FailureKind.MODEL_NOT_FOUND, null, "model_not_found",
                    "model or endpoint not found (" + detail + "); check the model id and the provider's baseUrl");
        }
        if (status == 408 || status == 504) {
            return new ProviderFailure(FailureKind.TRANSIENT, null, "timeout", "the request timed out (" + detail + ")");
        }
        if (status == 503) {
            return new ProviderFailure(FailureKind.TRANSIENT, null, "overloaded", "the service is unavailable (" + detail + ")");
        }
        if (status >= 500) {
            return new ProviderFailure(FailureKind.TRANSIENT, null, "server_error", "server error (" + detail + ")");
        }
        if (status >= 400) {
            return new ProviderFailure(FailureKind.INVALID_REQUEST, null, "invalid_request",
                    "the request was rejected (" + detail + ")");
        }
        return new ProviderFailure(FailureKind.TRANSIENT, null, "server_error", "unexpected response (" + detail + ")");
    }

    private static String throttleReason(ThrottleKind kind) {
        return switch (kind) {
            case PER_MINUTE -> "quota_minute";
            case PER_DAY -> "quota_daily";
            case TOKENS_PER_MINUTE -> "quota_tokens";
            case IMAGES_PER_MINUTE -> "quota_images";
            case UNKNOWN -> "rate_limited";
        };
    }

    private static boolean isKeyRejected(ErrorBody error) {
        String message = error.message.toLowerCase(Locale.ROOT);
        return error.errorInfoReasons().stream().anyMatch(reason -> reason.startsWith("API_KEY_"))
                || message.contains("api key not valid") || message.contains("api key expired");
    }

    /** "HTTP 400 INVALID_ARGUMENT: message", redacted and cut; an HTML or binary body is not quoted. */
    private static String detail(int status, ErrorBody error, String body) {
        StringBuilder text = new StringBuilder("HTTP ").append(status);
        if (error.status != null) {
            text.append(' ').append(MessageText.oneLine(error.status, 40));
        }
        String message = error.json ? error.message : plainTextBody(body);
        if (!message.isBlank()) {
            text.append(": ").append(MessageText.oneLine(message, MAX_MESSAGE_CHARS));
        }
        return text.toString();
    }

    private static String plainTextBody(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String trimmed = body.strip();
        if (trimmed.startsWith("<") || trimmed.chars().anyMatch(c -> c < 0x20 && c != '\n' && c != '\r' && c != '\t')) {
            return "(body is not a JSON error)";
        }
        return trimmed.lines().findFirst().orElse("");
    }
}
