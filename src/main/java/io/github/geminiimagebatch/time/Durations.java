package io.github.geminiimagebatch.time;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one reading of a duration a person or a server writes, for settings, limit periods, the simulator's flags
 * and "retry in" texts. It imports nothing of the bundle, so every package (the simulator too) can use it.
 */
public final class Durations {

    private static final Pattern BARE_NUMBER = Pattern.compile("\\d+(?:\\.\\d+)?");
    private static final Pattern SEGMENT = Pattern.compile(
            "(\\d+(?:\\.\\d+)?)?\\s*(ms|seconds|second|secs|sec|s|minutes|minute|mins|min|m|hours|hour|hrs|hr|h|days|day|d)",
            Pattern.CASE_INSENSITIVE);

    private Durations() {
    }

    /**
     * Reads, case-insensitively and exact to the nanosecond (rounded half up):
     * <ul>
     *     <li>number+unit segments, a space allowed around each unit: {@code 6s}, {@code 1.5 h}, {@code 1m30s},
     *     {@code 2 minutes 3 seconds}; units {@code ms}; {@code s sec secs second seconds};
     *     {@code m min mins minute minutes}; {@code h hr hrs hour hours}; {@code d day days} (24 hours);</li>
     *     <li>a unit alone, meaning one of it: {@code min} = {@code 1min};</li>
     *     <li>a bare number of seconds: {@code 90};</li>
     *     <li>ISO-8601: {@code PT6S}.</li>
     * </ul>
     * Empty when the text is none of these, is null, or is longer than about 292 years.
     */
    public static Optional<Duration> parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        if (trimmed.isEmpty()) {
            return Optional.empty();
        }
        if (trimmed.charAt(0) == 'p' || trimmed.charAt(0) == 'P') {
            try {
                return Optional.of(Duration.parse(trimmed.toUpperCase(Locale.ROOT)));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }
        if (BARE_NUMBER.matcher(trimmed).matches()) {
            return nanos(new BigDecimal(trimmed).multiply(BigDecimal.valueOf(1_000_000_000L)));
        }
        return segments(trimmed);
    }

    private static Optional<Duration> segments(String trimmed) {
        Matcher matcher = SEGMENT.matcher(trimmed);
        BigDecimal nanos = BigDecimal.ZERO;
        int position = 0;
        boolean first = true;
        while (position < trimmed.length()) {
            if (!matcher.find(position) || matcher.start() != position) {
                return Optional.empty();
            }
            String number = matcher.group(1);
            if (number == null && !(first && matcher.end() == trimmed.length())) {
                return Optional.empty();
            }
            BigDecimal amount = number == null ? BigDecimal.ONE : new BigDecimal(number);
            nanos = nanos.add(amount.multiply(BigDecimal.valueOf(unitNanos(matcher.group(2)))));
            position = matcher.end();
            while (position < trimmed.length() && trimmed.charAt(position) == ' ') {
                position++;
            }
            first = false;
        }
        return nanos(nanos);
    }

    private static Optional<Duration> nanos(BigDecimal nanos) {
        try {
            return Optional.of(Duration.ofNanos(nanos.setScale(0, RoundingMode.HALF_UP).longValueExact()));
        } catch (ArithmeticException tooLong) {
            return Optional.empty();
        }
    }

    private static long unitNanos(String unit) {
        return switch (unit.toLowerCase(Locale.ROOT)) {
            case "ms" -> 1_000_000L;
            case "s", "sec", "secs", "second", "seconds" -> 1_000_000_000L;
            case "m", "min", "mins", "minute", "minutes" -> 60_000_000_000L;
            case "h", "hr", "hrs", "hour", "hours" -> 3_600_000_000_000L;
            case "d", "day", "days" -> 86_400_000_000_000L;
            default -> throw new IllegalStateException("unit " + unit);
        };
    }
}
