package io.github.geminiimagebatch.quota;

import io.github.geminiimagebatch.time.Durations;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/** Writing durations the way users write them (6s, 1.5s, 500ms, 1m30s, 2h) and the way people read them. */
final class DurationText {

    private DurationText() {
    }

    /** The period part of a limit: {@code min}, {@code h}, {@code s}, else a compact duration. */
    static String periodUnit(Duration period) {
        if (period.equals(Duration.ofMinutes(1))) {
            return "min";
        }
        if (period.equals(Duration.ofHours(1))) {
            return "h";
        }
        if (period.equals(Duration.ofSeconds(1))) {
            return "s";
        }
        if (period.equals(Duration.ofDays(1))) {
            // "1d" would read back as the calendar day; a sliding day is written the way the docs write it
            return "24h";
        }
        return compact(period);
    }

    /** {@code 1m30s}, {@code 2h}, {@code 1.5s}, {@code 500ms}, {@code 2d}: re-readable by {@link Durations#parse}. */
    static String compact(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        StringBuilder text = new StringBuilder();
        long days = duration.toDays();
        Duration rest = duration.minusDays(days);
        long hours = rest.toHours();
        rest = rest.minusHours(hours);
        long minutes = rest.toMinutes();
        rest = rest.minusMinutes(minutes);
        if (days > 0) {
            text.append(days).append('d');
        }
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (minutes > 0) {
            text.append(minutes).append('m');
        }
        if (!rest.isZero()) {
            if (rest.getSeconds() == 0 && text.length() == 0 && rest.getNano() % 1_000_000 == 0) {
                text.append(rest.toMillis()).append("ms");
            } else {
                text.append(BigDecimal.valueOf(rest.toNanos(), 9).stripTrailingZeros().toPlainString()).append('s');
            }
        }
        return text.toString();
    }

    /** For people: {@code 17 s}, {@code 16.4 s}, {@code 2 min 5 s}, {@code 3 h 10 min}. */
    static String human(Duration duration) {
        if (duration.compareTo(Duration.ofMinutes(1)) < 0) {
            return seconds(duration) + " s";
        }
        long totalSeconds = duration.getSeconds() + (duration.getNano() >= 500_000_000 ? 1 : 0);
        long hours = totalSeconds / 3600;
        long minutes = totalSeconds % 3600 / 60;
        long secs = totalSeconds % 60;
        if (hours > 0) {
            return hours + " h" + (minutes > 0 ? " " + minutes + " min" : "");
        }
        return minutes + " min" + (secs > 0 ? " " + secs + " s" : "");
    }

    /** Seconds with up to three decimals below 10 s, else whole seconds; rounded up so a wait never reads shorter than it is. */
    private static String seconds(Duration duration) {
        BigDecimal seconds = BigDecimal.valueOf(duration.toNanos(), 9);
        int scale = seconds.compareTo(BigDecimal.TEN) < 0 ? 3 : 0;
        return seconds.setScale(scale, RoundingMode.CEILING).stripTrailingZeros().toPlainString();
    }
}
