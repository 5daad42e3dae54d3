package io.github.geminiimagebatch.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A time window, counted from the simulator's start, during which every generate call is answered
 * at once with one error: {@code 503:10s+10s} answers 503 from 10 s to 20 s after start. Such a
 * call is not metered and bills nothing, like a front end that sheds load.
 *
 * @param fault  the error answered: 500, 503 or 429 (a bare RESOURCE_EXHAUSTED)
 * @param start  when it begins, after the simulator started
 * @param length how long it lasts
 */
public record Outage(FaultKind fault, Duration start, Duration length) {

    private static final Set<FaultKind> ANSWERS = EnumSet.of(FaultKind.INTERNAL, FaultKind.UNAVAILABLE, FaultKind.RESOURCE_EXHAUSTED);

    public Outage {
        Objects.requireNonNull(fault, "fault");
        if (!ANSWERS.contains(fault)) {
            throw new IllegalArgumentException("An outage answers 500, 503 or 429, not '" + fault.label() + "'");
        }
        if (start.isNegative() || length.isNegative() || length.isZero()) {
            throw new IllegalArgumentException("An outage starts at 0 or later and lasts longer than 0, got start "
                    + DurationText.format(start) + " and length " + DurationText.format(length));
        }
    }

    /** Whether {@code sinceStart} (time since the simulator started) falls in this outage. */
    public boolean covers(Duration sinceStart) {
        return sinceStart.compareTo(start) >= 0 && sinceStart.compareTo(start.plus(length)) < 0;
    }

    /** Outages written as on the command line: {@code 503:10s+10s}, several separated by commas; blank for none. */
    public static List<Outage> parseAll(String spec) {
        List<Outage> outages = new ArrayList<>();
        if (spec == null || spec.isBlank()) {
            return outages;
        }
        for (String item : spec.split(",")) {
            outages.add(parse(item.trim()));
        }
        return outages;
    }

    static Outage parse(String text) {
        String usage = "Outage '" + text + "' must be written ERROR:START+DURATION, e.g. 503:10s+10s (503 from 10 s to 20 s after start)";
        int colon = text.indexOf(':');
        int plus = text.indexOf('+', colon + 1);
        if (colon < 1 || plus < 0) {
            throw new IllegalArgumentException(usage);
        }
        FaultKind fault = FaultKind.fromLabel(text.substring(0, colon))
                .orElseThrow(() -> new IllegalArgumentException(usage + "; the error is 500, 503 or 429"));
        try {
            return new Outage(fault, DurationText.parse(text.substring(colon + 1, plus)), DurationText.parse(text.substring(plus + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(usage + " (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public String toString() {
        return fault.label() + ":" + DurationText.format(start) + "+" + DurationText.format(length);
    }
}
