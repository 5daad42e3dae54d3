package io.github.geminiimagebatch.simulator;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as Google writes them ("17s", "4.5s") and as users type them ("6s", "500ms", "1h", "PT1M"). */
public final class DurationText {

    private static final Pattern HUMAN = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|min|h|d)?");

    private DurationText() {
    }

    /**
     * Protobuf-JSON duration: seconds with up to {@code fractionDigits} decimals, trailing zeros dropped,
     * rounded up so that waiting the printed time is never too short.
     */
    public static String seconds(Duration duration, int fractionDigits) {
        BigDecimal seconds = BigDecimal.valueOf(duration.getSeconds())
                .add(BigDecimal.valueOf(duration.getNano(), 9))
                .setScale(fractionDigits, RoundingMode.CEILING)
                .stripTrailingZeros();
        return seconds.toPlainString() + "s";
    }

    /** Short human form used in summaries: "60s", "500ms", "1.5s". */
    public static String format(Duration duration) {
        if (duration.toMillis() < 1000 && duration.toNanos() % 1_000_000 == 0) {
            return duration.toMillis() + "ms";
        }
        return seconds(duration, 3);
    }

    /**
     * Parses "6s", "500ms", "2m", "1h", "1d", a bare number of seconds, or ISO-8601 ("PT6S").
     *
     * @throws IllegalArgumentException with the accepted forms when the text is none of them
     */
    public static Duration parse(String text) {
        String trimmed = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (trimmed.startsWith("pt") || trimmed.startsWith("p")) {
            try {
                return Duration.parse(trimmed.toUpperCase(Locale.ROOT));
            } catch (RuntimeException e) {
                throw invalid(text);
            }
        }
        Matcher matcher = HUMAN.matcher(trimmed);
        if (!matcher.matches()) {
            throw invalid(text);
        }
        BigDecimal amount = new BigDecimal(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        BigDecimal nanosPerUnit = BigDecimal.valueOf(switch (unit) {
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m", "min" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> 86_400_000_000_000L;
        });
        return Duration.ofNanos(amount.multiply(nanosPerUnit).longValueExact());
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("'" + text + "' is not a duration; write e.g. 6s, 500ms, 2m, 1h, 1d or PT6S");
    }
}
