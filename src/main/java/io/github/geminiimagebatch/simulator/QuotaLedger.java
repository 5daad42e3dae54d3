package io.github.geminiimagebatch.simulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Google's quota model for one project: requests per minute, images per minute (sliding windows)
 * and requests per day (fixed windows), kept separately for each model as Google's quota ids say
 * ("PerProjectPerModel"). A request is counted when it arrives; a rejected request consumes nothing.
 *
 * <p>Pure arithmetic over an injected {@link Clock}; thread-safe.
 */
public final class QuotaLedger {

    private final QuotaLimits limits;
    private final Clock clock;
    private final Instant dayOrigin;
    private final Map<String, ModelWindows> windowsByModel = new LinkedHashMap<>();

    /** The day windows of a fixed {@link QuotaLimits#dayLength()} start at the clock's current instant. */
    public QuotaLedger(QuotaLimits limits, Clock clock) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.dayOrigin = clock.instant();
    }

    /**
     * Admits a request for {@code images} images of {@code model} if every quota has room, and then counts it.
     * Otherwise nothing is counted and the answer lists every exceeded quota with the exact time until it
     * would admit this request.
     */
    public synchronized Admission tryAdmit(String model, int images) {
        Instant now = clock.instant();
        ModelWindows windows = windowsByModel.computeIfAbsent(model, m -> new ModelWindows());
        List<Violation> violations = new ArrayList<>(3);
        check(QuotaKind.REQUESTS_PER_MINUTE, limits.requestsPerMinute(), windows.requestsPerMinute, 1, now, violations);
        check(QuotaKind.IMAGES_PER_MINUTE, limits.imagesPerMinute(), windows.imagesPerMinute, images, now, violations);
        long rpd = limits.requestsPerDay();
        if (rpd != QuotaLimits.UNLIMITED) {
            windows.day.roll(now);
            if (windows.day.used + 1 > rpd) {
                violations.add(new Violation(QuotaKind.REQUESTS_PER_DAY, rpd, Duration.between(now, windows.day.end)));
            }
        }
        if (!violations.isEmpty()) {
            return new Admission(Collections.unmodifiableList(violations));
        }
        windows.requestsPerMinute.add(now, 1);
        windows.imagesPerMinute.add(now, images);
        windows.day.roll(now);
        windows.day.used++;
        return Admission.ADMITTED;
    }

    /** Current usage of every quota of every model seen so far, as of the clock's current instant. */
    public synchronized Map<String, Map<QuotaKind, WindowState>> snapshot() {
        Instant now = clock.instant();
        Map<String, Map<QuotaKind, WindowState>> byModel = new LinkedHashMap<>();
        windowsByModel.forEach((model, windows) -> {
            Map<QuotaKind, WindowState> byKind = new EnumMap<>(QuotaKind.class);
            windows.requestsPerMinute.expire(now);
            windows.imagesPerMinute.expire(now);
            windows.day.roll(now);
            byKind.put(QuotaKind.REQUESTS_PER_MINUTE, new WindowState(windows.requestsPerMinute.used, limits.requestsPerMinute(), null));
            byKind.put(QuotaKind.IMAGES_PER_MINUTE, new WindowState(windows.imagesPerMinute.used, limits.imagesPerMinute(), null));
            byKind.put(QuotaKind.REQUESTS_PER_DAY, new WindowState(windows.day.used, limits.requestsPerDay(), windows.day.end));
            byModel.put(model, Collections.unmodifiableMap(byKind));
        });
        return Collections.unmodifiableMap(byModel);
    }

    /** Forgets all usage: every window is empty again. Fixed day windows keep their original grid. */
    public synchronized void reset() {
        windowsByModel.clear();
    }

    private void check(QuotaKind kind, long limit, SlidingWindow window, int amount, Instant now, List<Violation> violations) {
        if (limit == QuotaLimits.UNLIMITED) {
            return;
        }
        window.expire(now);
        if (window.used + amount > limit) {
            violations.add(new Violation(kind, limit, window.waitUntilRoomFor(amount, limit, now)));
        }
    }

    /** Outcome of {@link #tryAdmit}: admitted, or the exceeded quotas. */
    public record Admission(List<Violation> violations) {
        static final Admission ADMITTED = new Admission(List.of());

        public boolean admitted() {
            return violations.isEmpty();
        }

        /** Time until every exceeded quota admits the request: the longest of the violations' waits. */
        public Duration retryDelay() {
            return violations.stream().map(Violation::retryDelay).max(Duration::compareTo).orElse(Duration.ZERO);
        }
    }

    /** One exceeded quota: which, its limit, and exactly how long until it admits the rejected request. */
    public record Violation(QuotaKind kind, long limit, Duration retryDelay) {
    }

    /** Usage of one quota window; {@code resetsAt} is set for fixed (daily) windows only. */
    public record WindowState(long used, long limit, Instant resetsAt) {
    }

    private final class ModelWindows {
        final SlidingWindow requestsPerMinute = new SlidingWindow(limits.minuteLength());
        final SlidingWindow imagesPerMinute = new SlidingWindow(limits.minuteLength());
        final DayWindow day = new DayWindow();
    }

    /** Events admitted during the last {@code length}; an event at s counts at t while t - s &lt; length. */
    private static final class SlidingWindow {
        private final Duration length;
        private final Deque<Event> events = new ArrayDeque<>();
        private long used;

        SlidingWindow(Duration length) {
            this.length = length;
        }

        void add(Instant at, int amount) {
            if (amount > 0) {
                events.addLast(new Event(at, amount));
                used += amount;
            }
        }

        void expire(Instant now) {
            while (!events.isEmpty() && !events.peekFirst().at.plus(length).isAfter(now)) {
                used -= events.removeFirst().amount;
            }
        }

        Duration waitUntilRoomFor(int amount, long limit, Instant now) {
            long stillUsed = used;
            for (Event event : events) {
                stillUsed -= event.amount;
                if (stillUsed + amount <= limit) {
                    return Duration.between(now, event.at.plus(length));
                }
            }
            // The request alone is larger than the limit (e.g. limit 0): it never fits; Google still names a wait.
            return length;
        }

        private record Event(Instant at, int amount) {
        }
    }

    /** The current day: fixed windows of {@link QuotaLimits#dayLength()} from the origin, else calendar days in the reset zone. */
    private final class DayWindow {
        Instant start = Instant.MIN;
        Instant end = Instant.MIN;
        long used;

        void roll(Instant now) {
            if (now.isBefore(end)) {
                return;
            }
            Duration dayLength = limits.dayLength();
            if (dayLength != null) {
                long elapsedWindows = Duration.between(dayOrigin, now).toNanos() / dayLength.toNanos();
                start = dayOrigin.plus(dayLength.multipliedBy(elapsedWindows));
                end = start.plus(dayLength);
            } else {
                ZoneId zone = limits.resetZone();
                start = now.atZone(zone).toLocalDate().atStartOfDay(zone).toInstant();
                end = now.atZone(zone).toLocalDate().plusDays(1).atStartOfDay(zone).toInstant();
            }
            used = 0;
        }
    }
}
