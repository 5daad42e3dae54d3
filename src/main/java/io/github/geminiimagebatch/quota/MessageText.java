package io.github.geminiimagebatch.quota;

import io.github.geminiimagebatch.secret.Secrets;

/** Text from a provider's error body, made fit for a log line or a manifest: redacted, one line, bounded. */
final class MessageText {

    private MessageText() {
    }

    static String oneLine(String text, int maxChars) {
        if (text == null) {
            return "";
        }
        String line = Secrets.redact(text).replaceAll("\\s+", " ").trim();
        return line.length() <= maxChars ? line : line.substring(0, maxChars - 1) + "…";
    }
}
