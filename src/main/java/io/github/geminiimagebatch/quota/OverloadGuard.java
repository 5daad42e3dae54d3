package io.github.geminiimagebatch.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;

/**
 * Tells "this request failed" from "this provider is sick". A server error (5xx, reset, timeout)
 * costs only its own item a retry; the provider as a whole is slowed down only when its recent
 * answers say it is overloaded, in the spirit of Google SRE client-side throttling (accepts
 * against requests over a window):
 *
 * <ul>
 *   <li><b>overloaded</b> when, of the last {@value #WINDOW_ANSWERS} answers of the last
 *       {@link #WINDOW_AGE}, at least {@value #MIN_ANSWERS} arrived and more than half were server
 *       errors (fewer than 1 in {@value #K} accepted), or when {@value #FAILURES_IN_A_ROW} answers
 *       in a row were;</li>
 *   <li>while overloaded, requests are limited to a rate R: on entry half the rate of the last
 *       second's answers (of the last {@value #WINDOW_ANSWERS} kept), halved by each further failure down to one probe per
 *       {@link #PROBE_INTERVAL}, doubled by each success (slow start), so a real overload falls to
 *       a trickle of probes within its first wave of failures and a recovery is back at full speed
 *       after a handful of good answers;</li>
 *   <li>the limit is lifted at the first accept once at least half the window's answers are accepts.</li>
 * </ul>
 *
 * Answers other than server errors (images, blocks, refusals of the request) count as accepts;
 * 429s count as neither, the quota deals with them. Pure logic on instants the caller passes;
 * not thread-safe (ProviderQuota guards it).
 */
public final class OverloadGuard {

    static final int WINDOW_ANSWERS = 40;
    static final Duration WINDOW_AGE = Duration.ofSeconds(30);
    static final int MIN_ANSWERS = 10;
    static final int FAILURES_IN_A_ROW = 4;
    /** Requests allowed per accept before the provider counts as overloaded (SRE's K). */
    static final int K = 2;
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
    /** A probe's spacing is drawn within this fraction either side, so clients that failed together spread out. */
    static final double PROBE_JITTER = 0.2;
    private static final double PROBE_RATE = 1e9 / PROBE_INTERVAL.toNanos();
    private static final double MAX_RATE = 1e6;
    private static final Duration RATE_SPAN = Duration.ofSeconds(1);

    private final Random random;
    /** Recent answers, newest last. */
    private final ArrayDeque<Answer> answers = new ArrayDeque<>();
    private int failuresInARow;
    /** Requests per second while overloaded; 0 when the provider is healthy. */
    private double limitPerSecond;
    private Instant lastSent;
    private double spacingFactor = 1;
    private long overloadEvents;

    public OverloadGuard(Random random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /** A request to this provider was admitted at {@code now}. */
    public void sent(Instant now) {
        lastSent = now;
        spacingFactor = 1 + PROBE_JITTER * (2 * random.nextDouble() - 1);
    }

    /** The provider answered a request properly (anything but a server error or a 429). */
    public void accepted(Instant now) {
        record(now, false);
        failuresInARow = 0;
        if (limitPerSecond > 0) {
            limitPerSecond = halfAccepted(now) ? 0 : Math.min(MAX_RATE, limitPerSecond * 2);
        }
    }

    /** A request failed on the server's side: 5xx, connection reset, timeout. */
    public void failed(Instant now) {
        record(now, true);
        failuresInARow++;
        if (limitPerSecond > 0) {
            limitPerSecond = Math.max(PROBE_RATE, limitPerSecond / 2);
        } else if (overloaded(now)) {
            overloadEvents++;
            limitPerSecond = Math.max(PROBE_RATE, answersPerSecond(now) / 2);
        }
    }

    /** The earliest instant the next request may go: {@code now} unless the provider is overloaded. */
    public Instant earliestSend(Instant now) {
        if (limitPerSecond <= 0 || lastSent == null) {
            return now;
        }
        Instant next = lastSent.plusNanos(Math.round(spacingFactor * 1e9 / limitPerSecond));
        return next.isAfter(now) ? next : now;
    }

    public boolean overloaded() {
        return limitPerSecond > 0;
    }

    /** Requests per second allowed while overloaded, 0 while healthy. */
    public double limitPerSecond() {
        return limitPerSecond;
    }

    /** How often the provider was judged overloaded since start. */
    public long overloadEvents() {
        return overloadEvents;
    }

    /** Why requests are being held back, for Wait reasons and progress lines. */
    public String describe(Instant now) {
        int[] counts = counts(now);
        return String.format(Locale.ROOT, "provider overloaded (%d of its last %d answers were server errors): %s",
                counts[1], counts[0], limitPerSecond <= PROBE_RATE ? "probing once a second until answers come back"
                        : "at most " + Math.round(limitPerSecond) + " requests/s, doubling with each good answer");
    }

    private boolean overloaded(Instant now) {
        if (failuresInARow >= FAILURES_IN_A_ROW) {
            return true;
        }
        int[] counts = counts(now);
        return counts[0] >= MIN_ANSWERS && (long) counts[1] * K > counts[0];
    }

    private boolean halfAccepted(Instant now) {
        int[] counts = counts(now);
        return (long) counts[1] * K <= counts[0];
    }

    /** {answers, failures} within the window. */
    private int[] counts(Instant now) {
        Instant oldest = now.minus(WINDOW_AGE);
        int total = 0;
        int failures = 0;
        for (Answer answer : answers) {
            if (!answer.at.isBefore(oldest)) {
                total++;
                failures += answer.failed ? 1 : 0;
            }
        }
        return new int[] {total, failures};
    }

    private double answersPerSecond(Instant now) {
        Instant from = now.minus(RATE_SPAN);
        int count = 0;
        Iterator<Answer> newestFirst = answers.descendingIterator();
        while (newestFirst.hasNext() && newestFirst.next().at.isAfter(from)) {
            count++;
        }
        return count / (RATE_SPAN.toNanos() / 1e9);
    }

    private void record(Instant now, boolean failed) {
        answers.addLast(new Answer(now, failed));
        while (answers.size() > WINDOW_ANSWERS) {
            answers.removeFirst();
        }
    }

    private record Answer(Instant at, boolean failed) {
    }
}
