package io.github.geminiimagebatch.quota;

import java.util.regex.Pattern;

/** Removes anything that looks like a credential from text meant for logs, manifests and messages. */
public final class Secrets {

    private static final Pattern GOOGLE_API_KEY = Pattern.compile("AIza[0-9A-Za-z_\\-]{10,}");
    private static final Pattern OAUTH_ACCESS_TOKEN = Pattern.compile("ya29\\.[0-9A-Za-z_\\-.]+");
    private static final Pattern OPENAI_STYLE_KEY = Pattern.compile("\\bsk-[0-9A-Za-z_\\-]{16,}");
    private static final Pattern BEARER = Pattern.compile("(?i)\\bbearer\\s+[0-9A-Za-z_\\-.~+/=]+");
    private static final Pattern KEY_PARAMETER = Pattern.compile(
            "(?i)\\b(key|api[_-]?key|access_token|token|x-goog-api-key)(\\s*[=:]\\s*\"?)[^&\\s\"',;]+");

    private Secrets() {
    }

    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String redacted = BEARER.matcher(text).replaceAll("Bearer [redacted]");
        redacted = KEY_PARAMETER.matcher(redacted).replaceAll("$1$2[redacted]");
        redacted = GOOGLE_API_KEY.matcher(redacted).replaceAll("[redacted]");
        redacted = OAUTH_ACCESS_TOKEN.matcher(redacted).replaceAll("[redacted]");
        return OPENAI_STYLE_KEY.matcher(redacted).replaceAll("[redacted]");
    }

    /** Redacted, on one line, cut to {@code maxChars} with an ellipsis. */
    static String oneLine(String text, int maxChars) {
        if (text == null) {
            return "";
        }
        String line = redact(text).replaceAll("\\s+", " ").trim();
        return line.length() <= maxChars ? line : line.substring(0, maxChars - 1) + "…";
    }
}
