package io.github.geminiimagebatch.simulator;

import io.github.geminiimagebatch.time.Durations;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/** Durations as Google writes them ("17s", "4.5s") and as users type them ("6s", "500ms", "1h", "PT1M"). */
public final class DurationText {

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
     * Parses "6s", "500ms", "2m", "1m30s", "1h", "1d", a bare number of seconds, or ISO-8601 ("PT6S"), as the
     * settings do ({@link Durations#parse}).
     *
     * @throws IllegalArgumentException with the accepted forms when the text is none of them
     */
    public static Duration parse(String text) {
        return Durations.parse(text).orElseThrow(() -> invalid(text));
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("'" + text + "' is not a duration; write e.g. 6s, 500ms, 2m, 1h, 1d or PT6S");
    }
}
