package io.github.geminiimagebatch.quota;

import io.github.geminiimagebatch.quota.QuotaWindow.Unit;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The quota state of one provider: decides whether a request may go now, and learns from what
 * the provider answers. Pure decisions on an injected clock; the dispatcher does the waiting.
 *
 * <p>Pacing: every limit is a window (sliding log, or a calendar-day counter); a request is
 * admitted only when every window has room. Requests are also spread: under a sliding limit of
 * N per W (W up to one hour) two admissions are at least {@value #SPREAD_FACTOR} x W/N apart,
 * so a batch never fires a whole window at once, yet steady throughput stays N per (W + margin).
 *
 * <p>Learning: a per-minute or images-per-minute 429 that states its limit N and a wait teaches
 * the real window W = (now + wait) - (time of the N-th most recent admission the server
 * accepted), installed as a learned sliding limit N/W. A 429 without a limit value drives an AIMD
 * rate: halved on each throttling event (never below one request a minute), grown on each
 * success by a fiftieth of the rate it had before the last decrease.
 *
 * <p>Thread-safe: every method is synchronized.
 */
public final class ProviderQuota {

    static final double SPREAD_FACTOR = 0.5;
    private static final Duration LONGEST_SPREAD_PERIOD = Duration.ofHours(1);
    private static final Duration SHORTEST_LEARNED_WINDOW = Duration.ofSeconds(1);
    private static final Duration LONGEST_LEARNED_WINDOW = Duration.ofHours(1);
    private static final Duration NOMINAL_MINUTE = Duration.ofMinutes(1);
    private static final Duration THROTTLE_BACKOFF_START = Duration.ofSeconds(1);
    private static final Duration THROTTLE_BACKOFF_MAX = Duration.ofSeconds(60);
    /** Random extra on a backoff pause, as a fraction of it, so clients that failed together spread out. */
    private static final double BACKOFF_JITTER = 0.25;
    private static final Duration MAX_PAUSE_JITTER = Duration.ofMillis(250);
    static final double RATE_DECREASE = 0.5;
    static final double MIN_RATE_PER_SECOND = 1.0 / 60;
    static final double INCREASE_DIVISOR = 50;
    private static final Duration RATE_OBSERVATION = Duration.ofMinutes(1);
    /** A per-day 429 this soon after midnight is taken for clock skew against the server's reset. */
    static final Duration MIDNIGHT_GRACE = Duration.ofMinutes(5);
    static final Duration MIDNIGHT_GRACE_PAUSE = Duration.ofMinutes(1);
    private static final Duration HISTORY_SPAN = LONGEST_LEARNED_WINDOW.plusMinutes(1);
    private static final int HISTORY_MAX_ENTRIES = 100_000;

    private final String providerName;
    private final QuotaSettings settings;
    private final Clock clock;
    private final Random random;
    private final List<QuotaWindow> configuredWindows = new ArrayList<>();
    private final Map<String, QuotaWindow> learnedWindows = new LinkedHashMap<>();
    /** When each learned window was learned (or, remembered from an earlier run, first learned). */
    private final Map<String, Instant> learnedAt = new LinkedHashMap<>();
    /** Told what was learned after every 429, to keep it for the next run; null when nobody listens. */
    private Consumer<LearnedLimits> learnedListener;
    /** Recent admissions, newest last: what learning and the observed rate are computed from. */
    private final ArrayDeque<Admitted> history = new ArrayDeque<>();
    /** Whether server errors say the provider is overloaded, and the rate it is held to then. */
    private final OverloadGuard overload;

    private Instant lastAdmission;
    private int lastAdmissionImages;
    private Instant pausedUntil;
    private String pauseReason;
    /** Start of the pause in force (null when none); with pausedBefore, what pausedTime() adds up. */
    private Instant pauseStartedAt;
    private Duration pausedBefore = Duration.ZERO;
    private long nextTicket = 1;
    private Instant closedUntil;
    private String closedReason;
    private DayCloseListener dayCloseListener = (until, reason) -> { };
    /** Requests per second allowed by AIMD; 0 while no 429 without limit value has been seen. */
    private double adaptiveRatePerSecond;
    private double rateBeforeLastDecrease;
    private Instant lastThrottleEventAt;
    private int throttleEventsInARow;
    private long admittedCount;
    private long throttledCount;
    private long transientFailureCount;

    public ProviderQuota(String providerName, QuotaSettings settings, Clock clock) {
        this(providerName, settings, clock, new Random());
    }

    /** @param random source of jitter; seed it in tests for repeatable pauses */
    public ProviderQuota(String providerName, QuotaSettings settings, Clock clock, Random random) {
        this.providerName = Objects.requireNonNull(providerName, "providerName");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.overload = new OverloadGuard(random);
        settings.requestLimits().forEach(limit -> configuredWindows.add(window(Unit.REQUESTS, limit, null)));
        settings.imageLimits().forEach(limit -> configuredWindows.add(window(Unit.IMAGES, limit, null)));
    }

    public String providerName() {
        return providerName;
    }

    /**
     * Whether a request producing {@code images} images may be sent now. Granted records it in
     * every window; Wait names the earliest instant every window has room; Closed means this
     * provider cannot serve before {@code until}. Never blocks.
     */
    public synchronized Admission tryAdmit(int images) {
        if (images < 0) {
            throw new IllegalArgumentException("images must not be negative, got " + images);
        }
        Instant now = clock.instant();
        if (closedUntil != null) {
            if (now.isBefore(closedUntil)) {
                return new Admission.Closed(closedUntil, closedReason);
            }
            closedUntil = null;
            closedReason = null;
        }
        Instant until = now;
        String reason = null;
        if (pausedUntil != null && now.isBefore(pausedUntil)) {
            until = pausedUntil;
            reason = pauseReason;
        } else {
            endPause();
        }
        // Every window is consulted even while paused: a used-up day must close, not wait.
        for (QuotaWindow window : windows()) {
            int weight = window.unit == Unit.IMAGES ? images : 1;
            Instant room = window.earliestRoom(now, weight);
            if (room.equals(Instant.MAX)) {
                return new Admission.Closed(Instant.MAX, "a request for " + images + " images can never fit "
                        + window.describe() + " on " + providerName + "; raise the limit or ask for fewer images per request");
            }
            if (window.limit.calendarDay() && room.isAfter(now)) {
                return new Admission.Closed(room, "per-day limit " + window.describe() + " on " + providerName
                        + " is used up; it resets at " + DailyReset.next(now, settings.resetZone()).atZone(settings.resetZone()));
            }
            if (room.isAfter(until)) {
                until = room;
                reason = "pacing under " + window.describe();
            }
            Instant spaced = spacedAfterLast(window);
            if (spaced != null && spaced.isAfter(until)) {
                until = spaced;
                reason = "spreading " + window.unit.label + " under " + window.limitText();
            }
        }
        if (adaptiveRatePerSecond > 0 && lastAdmission != null) {
            Instant adaptive = lastAdmission.plus(secondsToDuration(1 / adaptiveRatePerSecond));
            if (adaptive.isAfter(until)) {
                until = adaptive;
                reason = "adaptive pacing at " + perMinute(adaptiveRatePerSecond) + " requests/min after 429s without quota details";
            }
        }
        Instant guarded = overload.earliestSend(now);
        if (guarded.isAfter(until)) {
            until = guarded;
            reason = overload.describe(now);
        }
        if (until.isAfter(now)) {
            return new Admission.Wait(until, reason);
        }
        overload.sent(now);
        long ticket = nextTicket++;
        for (QuotaWindow window : windows()) {
            window.record(now, window.unit == Unit.IMAGES ? images : 1, ticket);
        }
        history.addLast(new Admitted(now, images, ticket));
        trimHistory(now);
        lastAdmission = now;
        lastAdmissionImages = images;
        admittedCount++;
        return new Admission.Granted(ticket);
    }

    /**
     * The request admitted with {@code ticket} may not have reached the server before now: count
     * it from now in every window. The server counts a request when it arrives, so time spent
     * between admission and sending (building the body, fetching a token, opening a connection)
     * would otherwise let the next window open early on our side. Called when the request leaves,
     * and again at the answer to a call whose arrival is anyone's guess (the first of a cold
     * process). Moves an admission only later; unknown tickets are ignored.
     *
     * <p>Spreading and the adaptive rate keep counting from the admission: measured from the
     * sending, every request's time between admission and sending was added to the spacing of
     * the next (at 60 per 6 s, with 50 ms spacing and some 50 ms to build and send a request on a
     * busy machine, half the spacing again: 94% of the limit instead of 98%).
     */
    public synchronized void countFromNow(long ticket) {
        Instant now = clock.instant();
        Iterator<Admitted> newestFirst = history.descendingIterator();
        while (newestFirst.hasNext()) {
            Admitted admitted = newestFirst.next();
            if (admitted.ticket != ticket) {
                continue;
            }
            if (!now.isAfter(admitted.at)) {
                return;
            }
            newestFirst.remove();
            admitted.at = now;
            history.addLast(admitted);
            for (QuotaWindow window : windows()) {
                window.restamp(ticket, now, window.unit == Unit.IMAGES ? admitted.images : 1);
            }
            return;
        }
    }

    /** Time this provider has spent paused (after 429s and server errors) since it was created, up to now. */
    public synchronized Duration pausedTime() {
        Instant now = clock.instant();
        Duration total = pausedBefore;
        if (pauseStartedAt != null && pausedUntil != null) {
            Instant end = now.isBefore(pausedUntil) ? now : pausedUntil;
            if (end.isAfter(pauseStartedAt)) {
                total = total.plus(Duration.between(pauseStartedAt, end));
            }
        }
        return total;
    }

    /** The response was good (or the server's decision about the request): undo backoff, let the adaptive rate grow. */
    public synchronized void onSuccess() {
        throttleEventsInARow = 0;
        overload.accepted(clock.instant());
        if (adaptiveRatePerSecond > 0) {
            double step = Math.max(MIN_RATE_PER_SECOND, rateBeforeLastDecrease / INCREASE_DIVISOR);
            double ceiling = Math.max(2 * observedRatePerSecond(clock.instant()), rateBeforeLastDecrease);
            adaptiveRatePerSecond = Math.max(adaptiveRatePerSecond, Math.min(adaptiveRatePerSecond + step, ceiling));
        }
    }

    /**
     * A 429. Per-minute kinds pause the whole provider until the stated time (learning the real
     * limit when the body states it); per-day closes it until the next reset; a zero quota closes
     * it for good; a 429 without details backs off exponentially and lowers the adaptive rate.
     */
    public synchronized void onThrottled(ThrottleSignal signal) {
        Objects.requireNonNull(signal, "signal");
        Instant now = clock.instant();
        throttled(signal, now);
        if (learnedListener != null) {
            learnedListener.accept(learned());
        }
    }

    /**
     * What 429s taught so far: learned windows with the time each was learned, and the adaptive
     * rate (as of now: it grows on every success and was tested by them).
     */
    public synchronized LearnedLimits learned() {
        List<LearnedLimits.Window> windows = new ArrayList<>();
        Instant now = clock.instant();
        learnedWindows.forEach((key, window) -> windows.add(new LearnedLimits.Window(key, window.unit == Unit.IMAGES,
                window.limit, learnedAt.get(key), window.limit.calendarDay() ? List.of() : window.counted(now))));
        LearnedLimits.AdaptiveRate rate = adaptiveRatePerSecond > 0
                ? new LearnedLimits.AdaptiveRate(adaptiveRatePerSecond, rateBeforeLastDecrease, now) : null;
        return new LearnedLimits(windows, rate);
    }

    /**
     * Starts from what an earlier run learned, so this one begins at the learned pace instead of
     * relearning it from 429s. Knowledge older than {@link LearnedLimits#REMEMBERED_FOR} is
     * dropped, and a configured limit wins: a remembered window is not used when a limit of the
     * same unit and kind (sliding or per day) is configured, nor the adaptive rate when a request
     * limit is. What this run has learned already is kept.
     */
    public synchronized void remember(LearnedLimits knowledge) {
        Instant now = clock.instant();
        LearnedLimits fresh = knowledge.freshAt(now);
        for (LearnedLimits.Window remembered : fresh.windows()) {
            Unit unit = remembered.images() ? Unit.IMAGES : Unit.REQUESTS;
            if (configured(unit, remembered.limit().calendarDay()) || learnedWindows.containsKey(remembered.key())) {
                continue;
            }
            QuotaWindow window = window(unit, remembered.limit(), "a 429 of an earlier run at " + remembered.learnedAt());
            // an earlier run's admissions still in the server's window count here too (no ticket: never restamped)
            remembered.counted().stream().filter(at -> !at.isAfter(now)).forEach(at -> window.record(at, 1, 0));
            install(remembered.key(), window, remembered.learnedAt());
        }
        LearnedLimits.AdaptiveRate rate = fresh.adaptiveRate();
        if (rate != null && adaptiveRatePerSecond == 0 && !configured(Unit.REQUESTS, false)) {
            adaptiveRatePerSecond = Math.max(MIN_RATE_PER_SECOND, rate.requestsPerSecond());
            rateBeforeLastDecrease = Math.max(MIN_RATE_PER_SECOND, rate.beforeLastDecrease());
        }
    }

    /** Called with {@link #learned()} after every 429, e.g. to keep it in outbox/.state/. */
    public synchronized void onLearned(Consumer<LearnedLimits> listener) {
        this.learnedListener = listener;
    }

    private boolean configured(Unit unit, boolean calendarDay) {
        return configuredWindows.stream().anyMatch(w -> w.unit == unit && w.limit.calendarDay() == calendarDay);
    }

    private void install(String key, QuotaWindow window, Instant at) {
        learnedWindows.put(key, window);
        learnedAt.put(key, at);
    }

    private void throttled(ThrottleSignal signal, Instant now) {
        throttledCount++;
        markLatestAdmissionRejected();
        if (signal.zeroLimit()) {
            close(Instant.MAX, providerName + " has no quota for this model (" + signal.summary()
                    + "): this is a configuration problem, not a wait; enable billing on the Google Cloud project"
                    + " or choose another model");
            return;
        }
        if (signal.kind() == ThrottleKind.PER_DAY) {
            onPerDayThrottle(signal, now);
            return;
        }
        boolean newEvent = isNewThrottleEvent(now);
        lastThrottleEventAt = now;
        if (newEvent) {
            throttleEventsInARow++;
        }
        boolean learnable = (signal.kind() == ThrottleKind.PER_MINUTE || signal.kind() == ThrottleKind.IMAGES_PER_MINUTE)
                && signal.limit() != null && signal.limit() > 0;
        boolean learned = learnable && learnWindow(signal, now);
        if (!learned && newEvent) {
            decreaseRate(now);
        }
        Duration pause;
        if (signal.retryAfter() != null && signal.kind() != ThrottleKind.UNKNOWN) {
            pause = signal.retryAfter().plus(settings.windowMargin()).plus(pauseJitter(signal.retryAfter()));
        } else {
            pause = backoff(THROTTLE_BACKOFF_START, THROTTLE_BACKOFF_MAX, throttleEventsInARow);
            if (signal.retryAfter() != null) {
                pause = max(pause, signal.retryAfter().plus(settings.windowMargin()));
            }
        }
        pauseFor(now, pause, ThrottleClassifier.describe(signal.kind())
                + (signal.retryAfter() != null ? " (server said retry in " + DurationText.human(signal.retryAfter()) + ")"
                : " (no wait stated; backing off, " + throttleEventsInARow + " in a row)"));
    }

    /**
     * A 5xx, reset or timeout. By itself it costs only its item a retry (see {@link RetryBackoff});
     * the provider is held back only when its recent answers say it is overloaded ({@link OverloadGuard}).
     */
    public synchronized void onTransientFailure() {
        transientFailureCount++;
        overload.failed(clock.instant());
    }

    /** True while server errors hold this provider to a reduced rate (down to probes). */
    public synchronized boolean overloaded() {
        return overload.overloaded();
    }

    /** Stops admitting until {@code until} (Instant.MAX: for good), e.g. after an authentication failure. */
    public synchronized void closeUntil(Instant until, String reason) {
        close(Objects.requireNonNull(until, "until"), reason);
    }

    public synchronized Instant nextDailyReset() {
        return DailyReset.next(clock.instant(), settings.resetZone());
    }

    public synchronized QuotaSnapshot snapshot() {
        Instant now = clock.instant();
        Instant closed = closedUntil != null && now.isBefore(closedUntil) ? closedUntil : null;
        Instant paused = pausedUntil != null && now.isBefore(pausedUntil) ? pausedUntil : null;
        String reason = closed != null ? closedReason : paused != null ? pauseReason : null;
        List<QuotaSnapshot.WindowUsage> usage = new ArrayList<>();
        for (QuotaWindow window : windows()) {
            usage.add(new QuotaSnapshot.WindowUsage(window.unit.label, window.limit, window.learned(),
                    window.used(now), window.nextRelease(now)));
        }
        return new QuotaSnapshot(providerName, now, paused, closed, reason,
                adaptiveRatePerSecond > 0 ? adaptiveRatePerSecond * 60 : null, List.copyOf(usage),
                admittedCount, throttledCount, transientFailureCount);
    }

    private void onPerDayThrottle(ThrottleSignal signal, Instant now) {
        Instant lastReset = DailyReset.previous(now, settings.resetZone());
        boolean justAfterReset = Duration.between(lastReset, now).compareTo(MIDNIGHT_GRACE) < 0;
        if (signal.limit() != null && signal.limit() > 0) {
            String key = "day " + Unit.REQUESTS;
            QuotaWindow learned = learnedWindows.get(key);
            if (learned == null || learned.limit.permits() != signal.limit()) {
                learned = window(Unit.REQUESTS, Limit.perCalendarDay(signal.limit()), "a per-day 429");
                install(key, learned, now);
            }
            if (!justAfterReset) {
                learned.exhaustToday(now);
            }
        }
        if (justAfterReset) {
            // Our midnight may come a little before the server's: try again shortly instead of losing a day.
            Duration wait = max(MIDNIGHT_GRACE_PAUSE, signal.retryAfter() == null ? Duration.ZERO : signal.retryAfter());
            pauseFor(now, wait, "per-day quota still exhausted just after the daily reset (server clock may lag)");
            return;
        }
        Instant reset = DailyReset.next(now, settings.resetZone());
        String reason = "per-day quota on " + providerName + " exhausted (" + signal.summary() + "); it resets at "
                + reset.atZone(settings.resetZone());
        close(reset, reason);
        dayCloseListener.closed(reset, reason);
    }

    /** Told of every close after a per-day 429 (until the next reset), e.g. to remember it across restarts. */
    @FunctionalInterface
    public interface DayCloseListener {
        void closed(Instant until, String reason);
    }

    public synchronized void onDayClose(DayCloseListener listener) {
        this.dayCloseListener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * W = (now + wait) - (time of the N-th most recent accepted admission): the server's window
     * admits again exactly when that admission ages out. Without a stated wait, the quota id's
     * nominal minute. Kept at least as long as what was learned before for the same limit, so
     * estimates only grow towards the real window. Returns whether a learned limit now covers
     * this quota (else the caller adapts the rate instead).
     */
    private boolean learnWindow(ThrottleSignal signal, Instant now) {
        Unit unit = signal.kind() == ThrottleKind.IMAGES_PER_MINUTE ? Unit.IMAGES : Unit.REQUESTS;
        long permits = signal.limit();
        String key = unit + " " + (signal.quotaId() != null ? signal.quotaId() : signal.kind());
        QuotaWindow existing = learnedWindows.get(key);
        Instant nth = nthMostRecentAccepted(unit, permits);
        if (nth == null) {
            // Fewer than N of ours in the window: someone else shares the quota, or we restarted.
            // Nothing to measure the window against; what was learned before still stands.
            return existing != null;
        }
        Duration window = signal.retryAfter() != null
                ? Duration.between(nth, now.plus(signal.retryAfter()))
                : NOMINAL_MINUTE;
        window = max(SHORTEST_LEARNED_WINDOW, min(LONGEST_LEARNED_WINDOW, ceilToMillis(window)));
        if (existing != null && existing.limit.permits() == permits && existing.limit.period().compareTo(window) >= 0) {
            return true;
        }
        QuotaWindow learned = window(unit, Limit.sliding(permits, window), "a 429 (" + signal.summary() + ")");
        Instant windowStart = now.minus(window).minus(settings.marginFor(window));
        for (Admitted admitted : history) {
            if (!admitted.rejected && admitted.at.isAfter(windowStart)) {
                learned.record(admitted.at, unit == Unit.IMAGES ? admitted.images : 1, admitted.ticket);
            }
        }
        install(key, learned, now);
        return true;
    }

    private Instant nthMostRecentAccepted(Unit unit, long permits) {
        long counted = 0;
        Iterator<Admitted> newestFirst = history.descendingIterator();
        while (newestFirst.hasNext()) {
            Admitted admitted = newestFirst.next();
            if (admitted.rejected) {
                continue;
            }
            counted += unit == Unit.IMAGES ? admitted.images : 1;
            if (counted >= permits) {
                return admitted.at;
            }
        }
        return null;
    }

    /**
     * The server did not count the throttled request. Which one it was is not known; a 429 comes
     * back fast while a generation takes seconds, so the most recent admission is the best guess.
     */
    private void markLatestAdmissionRejected() {
        Iterator<Admitted> newestFirst = history.descendingIterator();
        while (newestFirst.hasNext()) {
            Admitted admitted = newestFirst.next();
            if (!admitted.rejected) {
                admitted.rejected = true;
                return;
            }
        }
    }

    /**
     * Several requests in flight can be throttled by one overload; they count as one event when
     * no request was admitted since the previous 429 or the provider is still paused for it.
     */
    private boolean isNewThrottleEvent(Instant now) {
        if (lastThrottleEventAt == null) {
            return true;
        }
        boolean admittedSince = lastAdmission != null && lastAdmission.isAfter(lastThrottleEventAt);
        boolean stillPaused = pausedUntil != null && now.isBefore(pausedUntil);
        return admittedSince && !stillPaused;
    }

    private void decreaseRate(Instant now) {
        double observed = observedRatePerSecond(now);
        double current = adaptiveRatePerSecond > 0 ? Math.min(adaptiveRatePerSecond, Math.max(observed, MIN_RATE_PER_SECOND)) : observed;
        rateBeforeLastDecrease = Math.max(current, MIN_RATE_PER_SECOND);
        adaptiveRatePerSecond = Math.max(MIN_RATE_PER_SECOND, current * RATE_DECREASE);
    }

    /** Admissions per second over the last minute (or since the first admission, if more recent). */
    private double observedRatePerSecond(Instant now) {
        Instant from = now.minus(RATE_OBSERVATION);
        long count = 0;
        Instant earliest = null;
        Iterator<Admitted> newestFirst = history.descendingIterator();
        while (newestFirst.hasNext()) {
            Admitted admitted = newestFirst.next();
            if (!admitted.at.isAfter(from)) {
                break;
            }
            count++;
            earliest = admitted.at;
        }
        if (count == 0) {
            return MIN_RATE_PER_SECOND;
        }
        Duration observedSpan = history.peekFirst().at.isAfter(from) ? Duration.between(earliest, now) : RATE_OBSERVATION;
        return count / Math.max(1.0, observedSpan.toNanos() / 1e9);
    }

    private Instant spacedAfterLast(QuotaWindow window) {
        if (lastAdmission == null || window.limit.calendarDay()
                || window.limit.period().compareTo(LONGEST_SPREAD_PERIOD) > 0) {
            return null;
        }
        int weight = window.unit == Unit.IMAGES ? lastAdmissionImages : 1;
        if (weight == 0) {
            return null;
        }
        Duration spacing = secondsToDuration(window.limit.averageSpacing().toNanos() / 1e9 * weight * SPREAD_FACTOR);
        return lastAdmission.plus(spacing);
    }

    private Iterable<QuotaWindow> windows() {
        List<QuotaWindow> all = new ArrayList<>(configuredWindows);
        all.addAll(learnedWindows.values());
        return all;
    }

    private QuotaWindow window(Unit unit, Limit limit, String learnedFrom) {
        return new QuotaWindow(unit, limit, settings.marginFor(limit.period()), settings.resetZone(), learnedFrom);
    }

    private void pauseFor(Instant now, Duration pause, String why) {
        Instant until = now.plus(pause);
        if (pausedUntil != null && !now.isBefore(pausedUntil)) {
            endPause();
        }
        if (pausedUntil == null) {
            pauseStartedAt = now;
        }
        if (pausedUntil == null || until.isAfter(pausedUntil)) {
            pausedUntil = until;
            pauseReason = "paused " + DurationText.human(pause) + ": " + why;
        }
    }

    /** The pause in force (if any) has run out: add it to the paused total. */
    private void endPause() {
        if (pauseStartedAt != null && pausedUntil != null && pausedUntil.isAfter(pauseStartedAt)) {
            pausedBefore = pausedBefore.plus(Duration.between(pauseStartedAt, pausedUntil));
        }
        pauseStartedAt = null;
        pausedUntil = null;
        pauseReason = null;
    }

    private void close(Instant until, String reason) {
        if (closedUntil == null || until.isAfter(closedUntil) || !clock.instant().isBefore(closedUntil)) {
            closedUntil = until;
            closedReason = reason;
        }
    }

    /** start x 2^(n-1), capped, plus up to a quarter more at random. */
    private Duration backoff(Duration start, Duration cap, int inARow) {
        Duration base = start.multipliedBy(1L << Math.min(Math.max(inARow - 1, 0), 20));
        base = min(base, cap);
        return base.plus(secondsToDuration(base.toNanos() / 1e9 * BACKOFF_JITTER * random.nextDouble()));
    }

    /** Up to a tenth of the wait, at most 250 ms: desynchronises clients without wasting quota. */
    private Duration pauseJitter(Duration wait) {
        Duration bound = min(MAX_PAUSE_JITTER, wait.dividedBy(10));
        return secondsToDuration(bound.toNanos() / 1e9 * random.nextDouble());
    }

    private void trimHistory(Instant now) {
        Instant oldest = now.minus(HISTORY_SPAN);
        while (!history.isEmpty() && (history.size() > HISTORY_MAX_ENTRIES || history.peekFirst().at.isBefore(oldest))) {
            history.removeFirst();
        }
    }

    private static String perMinute(double perSecond) {
        double perMinute = perSecond * 60;
        return perMinute >= 10 ? String.valueOf(Math.round(perMinute)) : String.format(Locale.ROOT, "%.1f", perMinute);
    }

    private static Duration ceilToMillis(Duration duration) {
        Duration millis = duration.truncatedTo(ChronoUnit.MILLIS);
        return millis.equals(duration) ? millis : millis.plusMillis(1);
    }

    private static Duration secondsToDuration(double seconds) {
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static final class Admitted {
        /** When it was admitted, then when it was sent (countFromNow). */
        Instant at;
        final int images;
        final long ticket;
        boolean rejected;

        Admitted(Instant at, int images, long ticket) {
            this.at = at;
            this.images = images;
            this.ticket = ticket;
        }
    }
}
