package io.github.geminiimagebatch.quota;

import io.github.geminiimagebatch.time.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads limit settings such as {@code 10/min,1500/day} or {@code 10/6s}.
 *
 * <p>Syntax: comma-separated {@code N/period}. N is a whole number of at least 1. The period is
 * a unit ({@code s}, {@code min}, {@code h}, {@code day}) or a duration made of number+unit
 * segments ({@code 6s}, {@code 500ms}, {@code 1.5s}, {@code 90s}, {@code 1m30s}, {@code 2h}).
 * Units: {@code ms}; {@code s sec second(s)}; {@code m min minute(s)}; {@code h hr hour(s)};
 * {@code d day(s)}; a bare number is seconds, and ISO-8601 ({@code PT6S}) is read too: the periods
 * are read by {@link Durations#parse}, like every duration. {@code day}, {@code d}, {@code 1d} and
 * {@code 1day} mean the calendar day that resets at midnight in the reset zone; any other length
 * ({@code 24h}, {@code 2d}) is a sliding window of that length.
 */
public final class Limits {

    private static final Pattern LIMIT = Pattern.compile("\\s*(\\d{1,18})\\s*/\\s*(\\S(?:.*\\S)?)\\s*");
    private static final Pattern CALENDAR_DAY = Pattern.compile("(1\\s*)?(d|day)", Pattern.CASE_INSENSITIVE);

    private Limits() {
    }

    /**
     * @param spec        the setting's value; null or blank means no limits
     * @param settingName named in the error message, e.g. {@code imagegen.provider.aistudio.limits}
     * @throws IllegalArgumentException naming the setting, quoting the bad part and showing the form
     */
    public static List<Limit> parse(String spec, String settingName) {
        List<Limit> limits = new ArrayList<>();
        if (spec == null || spec.isBlank()) {
            return limits;
        }
        for (String part : spec.split(",", -1)) {
            if (part.isBlank()) {
                continue;
            }
            limits.add(parseOne(part.trim(), settingName));
        }
        return List.copyOf(limits);
    }

    private static Limit parseOne(String part, String settingName) {
        Matcher matcher = LIMIT.matcher(part);
        if (!matcher.matches()) {
            throw notALimit(part, settingName);
        }
        long permits = Long.parseLong(matcher.group(1));
        if (permits == 0) {
            throw new IllegalArgumentException(settingName + ": '" + part
                    + "' allows nothing; to stop using a provider, leave it out of imagegen.providers");
        }
        String periodText = matcher.group(2);
        if (CALENDAR_DAY.matcher(periodText).matches()) {
            return Limit.perCalendarDay(permits);
        }
        Duration period = Durations.parse(periodText).orElseThrow(() -> notALimit(part, settingName));
        if (period.compareTo(Duration.ofMillis(1)) < 0) {
            throw new IllegalArgumentException(settingName + ": '" + part
                    + "' has a period shorter than 1 ms; write N/period such as 10/min, 1500/day or 10/6s");
        }
        return Limit.sliding(permits, period);
    }

    private static IllegalArgumentException notALimit(String part, String settingName) {
        return new IllegalArgumentException(settingName + ": '" + part
                + "' is not a limit; write N/period such as 10/min, 1500/day or 10/6s");
    }
}
