package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.provider.BatchJobView;
import io.github.geminiimagebatch.provider.ProviderRuntime;
import io.github.geminiimagebatch.provider.ProviderState;
import io.github.geminiimagebatch.quota.Limit;
import io.github.geminiimagebatch.quota.QuotaPlanner;
import io.github.geminiimagebatch.quota.QuotaSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The steady progress line: done / skipped / failed / pending of total, pace, ETA, pauses and cost.
 *
 * <p>The pace is the images made over the last {@link #PACE_WINDOW} (or since work began, early on),
 * so a long idle spell in service mode or a slow start does not distort it. The ETA is the longer of
 * "the rest at the current pace" and "the rest under the providers' quotas" (which is what shows a
 * per-day limit: 3000 images at 10/min look like 5 hours by pace but need 2 days at 1500/day).
 * When every provider is closed (per-day quota used up) the ETA says until when instead.
 */
public final class Progress {

    static final Duration PACE_WINDOW = Duration.ofMinutes(5);
    private static final Logger LOG = LoggerFactory.getLogger("progress");
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("EEE HH:mm z", Locale.ROOT);

    private record Sample(Instant at, long made) {
    }

    private final RunState run;
    private final ZoneId resetZone;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private Instant workingSince;

    public Progress(RunState run, ZoneId resetZone) {
        this.run = run;
        this.resetZone = resetZone;
    }

    /** Logs the line while work is open; between batches (service mode) it stays quiet. */
    public void log() {
        if (run.unsettled() == 0) {
            return;
        }
        LOG.info(line(run.clock().instant()));
    }

    public String line(Instant now) {
        long ok = run.count(WorkItem.Status.OK);
        long skipped = run.count(WorkItem.Status.SKIPPED);
        long failed = run.count(WorkItem.Status.FAILED);
        long pending = run.count(WorkItem.Status.PENDING);
        long open = run.unsettled();
        double perMinute = pace(now, ok);
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "generating: %d ok, %d skipped, %d failed, %s%d to go of %d | %.1f images/min | ETA %s | %.2f USD",
                ok, skipped, failed, pending > 0 ? pending + " pending, " : "", open, run.queued(), perMinute,
                eta(open, perMinute, run.providers(), resetZone, now), run.costUsd()));
        List<String> states = providerStates(now);
        if (!states.isEmpty()) {
            line.append(" | ").append(String.join("; ", states));
        }
        String jobs = batchJobs(run.batchJobs(), now);
        if (!jobs.isEmpty()) {
            line.append(" | ").append(jobs);
        }
        return line.toString();
    }

    /** "batch jobs: 2 RUNNING (300 items), 1 CREATING (12 items); oldest 4m10s", or empty without jobs. */
    static String batchJobs(List<BatchJobView> jobs, Instant now) {
        if (jobs.isEmpty()) {
            return "";
        }
        Map<String, int[]> byState = new TreeMap<>();
        Duration oldest = Duration.ZERO;
        for (BatchJobView job : jobs) {
            int[] counts = byState.computeIfAbsent(job.state(), s -> new int[2]);
            counts[0]++;
            counts[1] += job.items();
            oldest = job.age(now).compareTo(oldest) > 0 ? job.age(now) : oldest;
        }
        List<String> parts = new ArrayList<>();
        byState.forEach((state, counts) -> parts.add(counts[0] + " " + state + " (" + counts[1] + " items)"));
        return "batch jobs: " + String.join(", ", parts) + "; oldest " + oldest.toSeconds() + "s";
    }

    /** Images per minute now, over the recent window (what the progress line shows). */
    public double imagesPerMinute(Instant now) {
        return pace(now, run.count(WorkItem.Status.OK));
    }

    /** The time left for {@code open} items at {@code perMinute}, worded as on the progress line. */
    public String eta(long open, double perMinute, Instant now) {
        return eta(open, perMinute, run.providers(), resetZone, now);
    }

    /** Images per minute over the recent window, from the samples this method takes on each call. */
    synchronized double pace(Instant now, long made) {
        if (workingSince == null || !workingSince.equals(run.busySince())) {
            workingSince = run.busySince();
            samples.clear();
            samples.addLast(new Sample(workingSince, run.madeWhenBusy()));
        }
        samples.addLast(new Sample(now, made));
        Instant windowStart = now.minus(PACE_WINDOW);
        while (samples.size() > 2) {
            Sample first = samples.removeFirst();
            if (samples.peekFirst().at().isAfter(windowStart)) {
                samples.addFirst(first);
                break;
            }
        }
        Sample oldest = samples.peekFirst();
        double minutes = Duration.between(oldest.at(), now).toMillis() / 60_000.0;
        if (minutes <= 0) {
            return 0;
        }
        return Math.max(0, made - oldest.made()) / minutes;
    }

    /**
     * The time left: the longer of the current pace and the fastest provider's quota; when every
     * usable provider is closed or its circuit open, when the first one reopens.
     */
    static String eta(long open, double perMinute, List<ProviderRuntime> providers, ZoneId zone, Instant now) {
        if (open == 0) {
            return "0s";
        }
        List<ProviderRuntime> usable = providers.stream().filter(ProviderRuntime::usable).toList();
        if (usable.isEmpty()) {
            return "none: no provider is usable";
        }
        Instant reopens = null;
        boolean anyOpen = false;
        for (ProviderRuntime p : usable) {
            Instant closedUntil = closedUntil(p, now);
            if (closedUntil == null) {
                anyOpen = true;
            } else if (!closedUntil.equals(Instant.MAX) && (reopens == null || closedUntil.isBefore(reopens))) {
                reopens = closedUntil;
            }
        }
        if (!anyOpen) {
            if (reopens == null) {
                return "none: every provider is closed";
            }
            Duration quota = fastestQuota(usable, open, zone, reopens, true);
            return "not before " + WHEN.format(reopens.atZone(zone)) + " (quota closed until then)"
                    + (quota == null ? "" : ", then " + format(quota));
        }
        Duration byPace = perMinute > 0 ? Duration.ofSeconds(Math.round(open / perMinute * 60)) : null;
        List<ProviderRuntime> serving = usable.stream().filter(p -> closedUntil(p, now) == null).toList();
        Duration byQuota = fastestQuota(serving, open, zone, now, false);
        if (byPace == null && byQuota == null) {
            return "unknown";
        }
        if (byPace == null || (byQuota != null && byQuota.compareTo(byPace) > 0)) {
            long days = byQuota.toDays();
            return format(byQuota) + (days >= 1 ? " (per-day quota)" : " (quota)");
        }
        return format(byPace);
    }

    /** The shortest time any one provider needs for {@code open} images under its limits; null when one has none. */
    private static Duration fastestQuota(List<ProviderRuntime> usable, long open, ZoneId zone, Instant start,
                                         boolean freshDay) {
        Duration best = null;
        for (ProviderRuntime p : usable) {
            Duration d = quotaTime(p, open, zone, start, freshDay);
            if (d == null) {
                return null;
            }
            best = best == null || d.compareTo(best) < 0 ? d : best;
        }
        return best;
    }

    /**
     * Time for {@code open} requests under one provider's limits (configured and learned), counting
     * what today's per-day windows have already used; null when the provider has no limits.
     */
    static Duration quotaTime(ProviderRuntime p, long open, ZoneId zone, Instant start, boolean freshDay) {
        QuotaSnapshot q = p.quota().snapshot();
        List<Limit> requests = new ArrayList<>();
        List<Limit> images = new ArrayList<>();
        long leftToday = Long.MAX_VALUE;
        for (QuotaSnapshot.WindowUsage w : q.windows()) {
            (w.unit().equals("images") ? images : requests).add(w.limit());
            if (w.limit().calendarDay() && !freshDay) {
                leftToday = Math.min(leftToday, Math.max(0, w.limit().permits() - w.used()));
            }
        }
        if (requests.isEmpty() && images.isEmpty()) {
            return null;
        }
        ZonedDateTime from = start.atZone(zone);
        if (open <= leftToday) {
            List<Limit> sliding = requests.stream().filter(l -> !l.calendarDay()).toList();
            List<Limit> slidingImages = images.stream().filter(l -> !l.calendarDay()).toList();
            return QuotaPlanner.timeNeeded(sliding, slidingImages, open, 1, from);
        }
        ZonedDateTime midnight = from.toLocalDate().plusDays(1).atStartOfDay(zone);
        List<Limit> sliding = requests.stream().filter(l -> !l.calendarDay()).toList();
        List<Limit> slidingImages = images.stream().filter(l -> !l.calendarDay()).toList();
        Duration today = QuotaPlanner.timeNeeded(sliding, slidingImages, leftToday, 1, from);
        Duration untilMidnight = Duration.between(from, midnight);
        Duration rest = QuotaPlanner.timeNeeded(requests, images, open - leftToday, 1, midnight);
        return (today.compareTo(untilMidnight) > 0 ? today : untilMidnight).plus(rest);
    }

    /** When a provider that is closed or whose circuit is open takes requests again; null when it is open or pausing. */
    private static Instant closedUntil(ProviderRuntime p, Instant now) {
        ProviderState state = p.state(now);
        return state.kind() == ProviderState.Kind.CLOSED || state.kind() == ProviderState.Kind.CIRCUIT_OPEN
                ? state.until() : null;
    }

    static String format(Duration d) {
        long s = d.getSeconds();
        if (s >= 86_400) {
            return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, (s % 86_400) / 3600);
        }
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return s + "s";
    }

    private List<String> providerStates(Instant now) {
        List<String> states = new ArrayList<>();
        for (ProviderRuntime p : run.providers()) {
            String state = ProviderStatus.describe(p.state(now), now);
            if (state != null) {
                states.add(state);
            }
        }
        return states;
    }
}
