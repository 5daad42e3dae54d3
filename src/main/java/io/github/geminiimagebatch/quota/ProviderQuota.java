package io.github.geminiimagebatch.quota;

import io.github.geminiimagebatch.quota.QuotaWindow.Unit;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The quota state of one provider: decides whether a request may go now, and learns from what
 * the provider answers. Pure decisions on an injected clock; the dispatcher does the waiting.
 * The parts, each on its own:
 *
 * <ul>
 *   <li>{@link Pacing}: the configured and learned windows (a request is admitted only when every
 *       window has room) and the spreading of admissions under them;</li>
 *   <li>{@link Stops}: the provider-wide pause after a 429 and the close (per-day quota used up,
 *       unusable);</li>
 *   <li>{@link WindowLearning} over the {@link AdmissionLog}: the real window learned from a 429 that
 *       states its limit;</li>
 *   <li>{@link AdaptiveRate}: the AIMD rate for 429s that state nothing;</li>
 *   <li>{@link OverloadGuard}: the rate a provider is held to while server errors say it is overloaded.</li>
 * </ul>
 *
 * This class combines their answers, reacts to each kind of 429, and shares what other instances
 * must agree on through {@link SharedQuota}.
 *
 * <p>Thread-safe: every method is synchronized.
 */
public final class ProviderQuota {

    private static final Duration THROTTLE_BACKOFF_START = Duration.ofSeconds(1);
    private static final Duration THROTTLE_BACKOFF_MAX = Duration.ofSeconds(60);
    /** Random extra on a backoff pause, as a fraction of it, so clients that failed together spread out. */
    private static final double BACKOFF_JITTER = 0.25;
    private static final Duration MAX_PAUSE_JITTER = Duration.ofMillis(250);
    /** A per-day 429 this soon after midnight is taken for clock skew against the server's reset. */
    static final Duration MIDNIGHT_GRACE = Duration.ofMinutes(5);
    /** No admission's ticket: the throttled request is then guessed as the most recent one. */
    static final long UNKNOWN_TICKET = -1;
    static final Duration MIDNIGHT_GRACE_PAUSE = Duration.ofMinutes(1);

    private final String providerName;
    private final QuotaSettings settings;
    private final Clock clock;
    private final Random random;
    /** What every instance on the same project agrees on; LOCAL_ONLY when this instance is alone. */
    private final SharedQuota shared;
    private final Pacing pacing;
    private final AdmissionLog log = new AdmissionLog();
    private final WindowLearning learning;
    private final Stops stops = new Stops();
    private final AdaptiveRate adaptiveRate = new AdaptiveRate();
    /** Whether server errors say the provider is overloaded, and the rate it is held to then. */
    private final OverloadGuard overload;
    /** Told what was learned after every 429, to keep it for the next run; null when nobody listens. */
    private Consumer<LearnedLimits> learnedListener;
    private DayCloseListener dayCloseListener = (until, reason) -> { };

    private long nextTicket = 1;
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
        this(providerName, settings, clock, random, SharedQuota.LOCAL_ONLY);
    }

    /** @param shared the quota state shared with other instances (admissions, pauses, closes, learned limits) */
    public ProviderQuota(String providerName, QuotaSettings settings, Clock clock, Random random, SharedQuota shared) {
        this.shared = Objects.requireNonNull(shared, "shared");
        this.providerName = Objects.requireNonNull(providerName, "providerName");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.overload = new OverloadGuard(random);
        this.pacing = new Pacing(providerName, settings);
        this.learning = new WindowLearning(pacing, log, settings, shared);
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
        Admission.Closed closed = stops.closedAt(now);
        if (closed != null) {
            return closed;
        }
        Admission.Wait wait = stops.pauseAt(now);
        // Every window is consulted even while paused: a used-up day must close, not wait.
        Admission paced = pacing.check(now, images);
        if (paced instanceof Admission.Closed) {
            return paced;
        }
        if (paced instanceof Admission.Wait window && window.until().isAfter(Pacing.until(wait, now))) {
            wait = window;
        }
        Instant adaptive = adaptiveRate.earliestAfter(pacing.lastAdmission());
        if (adaptive != null && adaptive.isAfter(Pacing.until(wait, now))) {
            wait = new Admission.Wait(adaptive, adaptiveRate.describe());
        }
        Instant guarded = overload.earliestSend(now);
        if (guarded.isAfter(Pacing.until(wait, now))) {
            wait = new Admission.Wait(guarded, overload.describe(now));
        }
        if (wait != null) {
            return wait;
        }
        long ticket = nextTicket;
        Admission together = shared.admit(ticket, images);
        if (together instanceof Admission.Closed closedByOthers) {
            stops.close(now, closedByOthers.until(), closedByOthers.reason());
        }
        if (!(together instanceof Admission.Granted)) {
            return together;
        }
        nextTicket++;
        overload.sent(now);
        pacing.admitted(now, images, ticket);
        log.add(now, images, ticket);
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
        AdmissionLog.Entry moved = log.moveToNow(ticket, now);
        if (moved != null) {
            pacing.sent(ticket, now, moved.images);
            shared.sent(ticket, moved.images);
        }
    }

    /** Time this provider has spent paused (after 429s) since it was created, up to now. */
    public synchronized Duration pausedTime() {
        return stops.pausedTime(clock.instant());
    }

    /** The response was good (or the server's decision about the request): undo backoff, let the adaptive rate grow. */
    public synchronized void onSuccess() {
        Instant now = clock.instant();
        throttleEventsInARow = 0;
        overload.accepted(now);
        if (adaptiveRate.on()) {
            adaptiveRate.increase(log.observedRatePerSecond(now, AdaptiveRate.MIN_PER_SECOND));
        }
    }

    /**
     * A 429. Per-minute kinds pause the whole provider until the stated time (learning the real
     * limit when the body states it); per-day closes it until the next reset; a zero quota closes
     * it for good; a 429 without details backs off exponentially and lowers the adaptive rate.
     */
    public synchronized void onThrottled(ThrottleSignal signal) {
        onThrottled(signal, UNKNOWN_TICKET);
    }

    /**
     * A 429 to the request admitted with {@code ticket}: that admission is the one the server did not
     * count, and a window learned from it is measured against the admissions sent before it.
     */
    public synchronized void onThrottled(ThrottleSignal signal, long ticket) {
        Objects.requireNonNull(signal, "signal");
        throttled(signal, ticket, clock.instant());
        if (learnedListener != null) {
            learnedListener.accept(learned());
        }
    }

    /**
     * What 429s taught so far: learned windows with the time each was learned, and the adaptive
     * rate (as of now: it grows on every success and was tested by them).
     */
    public synchronized LearnedLimits learned() {
        Instant now = clock.instant();
        return new LearnedLimits(pacing.learnedWindows(now), adaptiveRate.learned(now));
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
        pacing.remember(fresh.windows(), now);
        if (!pacing.configured(Unit.REQUESTS, false)) {
            adaptiveRate.remember(fresh.adaptiveRate());
        }
    }

    /** Called with {@link #learned()} after every 429, e.g. to keep it in outbox/.state/. */
    public synchronized void onLearned(Consumer<LearnedLimits> listener) {
        this.learnedListener = listener;
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
        stops.close(clock.instant(), Objects.requireNonNull(until, "until"), reason);
    }

    public synchronized Instant nextDailyReset() {
        return DailyReset.next(clock.instant(), settings.resetZone());
    }

    public synchronized QuotaSnapshot snapshot() {
        Instant now = clock.instant();
        Instant closed = stops.closedUntil() != null && now.isBefore(stops.closedUntil()) ? stops.closedUntil() : null;
        Instant paused = stops.pausedAt(now) ? stops.pausedUntil() : null;
        String reason = closed != null ? stops.closedReason() : paused != null ? stops.pauseReason() : null;
        return new QuotaSnapshot(providerName, now, paused, closed, reason, adaptiveRate.perMinute(),
                List.copyOf(pacing.usage(now)), admittedCount, throttledCount, transientFailureCount);
    }

    /** Told of every close after a per-day 429 (until the next reset), e.g. to remember it across restarts. */
    @FunctionalInterface
    public interface DayCloseListener {
        void closed(Instant until, String reason);
    }

    public synchronized void onDayClose(DayCloseListener listener) {
        this.dayCloseListener = Objects.requireNonNull(listener, "listener");
    }

    private void throttled(ThrottleSignal signal, long ticket, Instant now) {
        throttledCount++;
        AdmissionLog.Entry refused = log.markRejected(ticket);
        if (signal.zeroLimit()) {
            stops.close(now, Instant.MAX, providerName + " has no quota for this model (" + signal.summary()
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
        boolean learned = learnable && learning.learnWindow(signal, refused, now);
        if (!learned && newEvent) {
            adaptiveRate.decrease(log.observedRatePerSecond(now, AdaptiveRate.MIN_PER_SECOND));
        }
        Duration pause;
        if (signal.retryAfter() != null && signal.kind() != ThrottleKind.UNKNOWN) {
            pause = signal.retryAfter().plus(settings.windowMargin()).plus(pauseJitter(signal.retryAfter()));
        } else {
            pause = backoff(throttleEventsInARow);
            if (signal.retryAfter() != null) {
                pause = Durations.max(pause, signal.retryAfter().plus(settings.windowMargin()));
            }
        }
        stops.pause(now, pause, ThrottleClassifier.describe(signal.kind())
                + (signal.retryAfter() != null ? " (server said retry in " + DurationText.human(signal.retryAfter()) + ")"
                : " (no wait stated; backing off, " + throttleEventsInARow + " in a row)"));
        shared.paused(stops.pausedUntil(), stops.pauseReason());
    }

    private void onPerDayThrottle(ThrottleSignal signal, Instant now) {
        Instant lastReset = DailyReset.previous(now, settings.resetZone());
        boolean justAfterReset = Duration.between(lastReset, now).compareTo(MIDNIGHT_GRACE) < 0;
        if (signal.limit() != null && signal.limit() > 0) {
            learning.learnDay(signal, now, justAfterReset);
        }
        if (justAfterReset) {
            // Our midnight may come a little before the server's: try again shortly instead of losing a day.
            Duration wait = Durations.max(MIDNIGHT_GRACE_PAUSE, signal.retryAfter() == null ? Duration.ZERO : signal.retryAfter());
            stops.pause(now, wait, "per-day quota still exhausted just after the daily reset (server clock may lag)");
            shared.paused(stops.pausedUntil(), stops.pauseReason());
            return;
        }
        Instant reset = DailyReset.next(now, settings.resetZone());
        String reason = "per-day quota on " + providerName + " exhausted (" + signal.summary() + "); it resets at "
                + reset.atZone(settings.resetZone());
        stops.close(now, reset, reason);
        dayCloseListener.closed(reset, reason);
        shared.closed(stops.closedUntil(), stops.closedReason());
    }

    /**
     * Several requests in flight can be throttled by one overload; they count as one event when
     * no request was admitted since the previous 429 or the provider is still paused for it.
     */
    private boolean isNewThrottleEvent(Instant now) {
        if (lastThrottleEventAt == null) {
            return true;
        }
        Instant lastAdmission = pacing.lastAdmission();
        boolean admittedSince = lastAdmission != null && lastAdmission.isAfter(lastThrottleEventAt);
        return admittedSince && !stops.pausedAt(now);
    }

    /** 1 s x 2^(n-1), at most 60 s, plus up to a quarter more at random. */
    private Duration backoff(int inARow) {
        Duration base = THROTTLE_BACKOFF_START.multipliedBy(1L << Math.min(Math.max(inARow - 1, 0), 20));
        base = Durations.min(base, THROTTLE_BACKOFF_MAX);
        return base.plus(Durations.ofSeconds(base.toNanos() / 1e9 * BACKOFF_JITTER * random.nextDouble()));
    }

    /** Up to a tenth of the wait, at most 250 ms: desynchronises clients without wasting quota. */
    private Duration pauseJitter(Duration wait) {
        Duration bound = Durations.min(MAX_PAUSE_JITTER, wait.dividedBy(10));
        return Durations.ofSeconds(bound.toNanos() / 1e9 * random.nextDouble());
    }
}
