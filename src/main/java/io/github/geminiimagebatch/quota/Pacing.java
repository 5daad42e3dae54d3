package io.github.geminiimagebatch.quota;

import io.github.geminiimagebatch.quota.QuotaWindow.Unit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The windows a provider is paced by, configured and learned from 429s, and the spreading of
 * admissions under them: a request fits when every window has room, and under a sliding limit of N
 * per W (W up to one hour) two admissions are at least {@value Spreading#FACTOR} x W/N apart, so a batch
 * never fires a whole window at once. Once a window has been full, the places it gives back (its
 * oldest admissions ageing out, up to a tenth of it at a time) are taken without spacing: they
 * come back spread as the window before was, so steady throughput stays N per (W + margin). The shared
 * quota in Redis applies the same rule ({@link Spreading}). Not thread-safe:
 * {@link ProviderQuota} guards it.
 */
final class Pacing {

    private final String providerName;
    private final QuotaSettings settings;
    private final List<QuotaWindow> configured = new ArrayList<>();
    private final Map<String, QuotaWindow> learned = new LinkedHashMap<>();
    /** When each learned window was learned (or, remembered from an earlier run, first learned). */
    private final Map<String, Instant> learnedAt = new LinkedHashMap<>();
    /** Configured then learned: every window in force. */
    private List<QuotaWindow> all = List.of();
    private Instant lastAdmission;
    private int lastAdmissionImages;

    Pacing(String providerName, QuotaSettings settings) {
        this.providerName = providerName;
        this.settings = settings;
        settings.requestLimits().forEach(limit -> configured.add(window(Unit.REQUESTS, limit, null)));
        settings.imageLimits().forEach(limit -> configured.add(window(Unit.IMAGES, limit, null)));
        all = List.copyOf(configured);
    }

    /**
     * Whether a request for {@code images} images fits every window at {@code now}: null when it
     * does; Closed when a calendar day is used up or it can never fit; else Wait until the latest
     * instant a window has room or spreading allows, naming that window.
     */
    Admission check(Instant now, int images) {
        // A full window gives its places back in the spacing of one window earlier: spacing them
        // again (under it or under a window it keeps from filling) would carry every small delay
        // (a wake-up, a send) into every later window, and a window that fell a few places behind
        // would stay behind.
        boolean placeGivenBack = windows().stream().anyMatch(window -> window.givesPlaceBack(now, weight(window, images)));
        Admission.Wait wait = null;
        for (QuotaWindow window : windows()) {
            int weight = weight(window, images);
            Instant room = window.earliestRoom(now, weight);
            if (room.equals(Instant.MAX)) {
                return new Admission.Closed(Instant.MAX, "a request for " + images + " images can never fit "
                        + window.describe() + " on " + providerName + "; raise the limit or ask for fewer images per request");
            }
            if (window.limit.calendarDay() && room.isAfter(now)) {
                return new Admission.Closed(room, "per-day limit " + window.describe() + " on " + providerName
                        + " is used up; it resets at " + DailyReset.next(now, settings.resetZone()).atZone(settings.resetZone()));
            }
            if (room.isAfter(until(wait, now))) {
                wait = new Admission.Wait(room, "pacing under " + window.describe());
            }
            Instant spaced = placeGivenBack ? null : spacedAfterLast(window);
            if (spaced != null && spaced.isAfter(until(wait, now))) {
                wait = new Admission.Wait(spaced, "spreading " + window.unit.label + " under " + window.limitText());
            }
        }
        return wait;
    }

    /** Counts an admission at {@code now} in every window. */
    void admitted(Instant now, int images, long ticket) {
        for (QuotaWindow window : windows()) {
            window.record(now, weight(window, images), ticket);
        }
        lastAdmission = now;
        lastAdmissionImages = images;
    }

    /** The admission {@code ticket} left only at {@code now}: every window counts it from then. */
    void sent(long ticket, Instant now, int images) {
        for (QuotaWindow window : windows()) {
            window.restamp(ticket, now, weight(window, images));
        }
    }

    Instant lastAdmission() {
        return lastAdmission;
    }

    QuotaWindow learned(String key) {
        return learned.get(key);
    }

    void install(String key, QuotaWindow window, Instant at) {
        learned.put(key, window);
        learnedAt.put(key, at);
        List<QuotaWindow> windows = new ArrayList<>(configured);
        windows.addAll(learned.values());
        all = List.copyOf(windows);
    }

    /** Whether a limit of this unit and kind (sliding, or per calendar day) is configured. */
    boolean configured(Unit unit, boolean calendarDay) {
        return configured.stream().anyMatch(w -> w.unit == unit && w.limit.calendarDay() == calendarDay);
    }

    QuotaWindow window(Unit unit, Limit limit, String learnedFrom) {
        return new QuotaWindow(unit, limit, settings.marginFor(limit.period()), settings.resetZone(), learnedFrom);
    }

    /** The learned windows with when each was learned and, for sliding ones, what they still count. */
    List<LearnedLimits.Window> learnedWindows(Instant now) {
        List<LearnedLimits.Window> windows = new ArrayList<>();
        learned.forEach((key, window) -> windows.add(new LearnedLimits.Window(key, window.unit == Unit.IMAGES,
                window.limit, learnedAt.get(key), window.limit.calendarDay() ? List.of() : window.counted(now))));
        return windows;
    }

    /**
     * Starts from windows an earlier run learned, with the admissions they still counted, except
     * where a limit of the same unit and kind is configured or this run learned that quota already.
     */
    void remember(List<LearnedLimits.Window> remembered, Instant now) {
        for (LearnedLimits.Window window : remembered) {
            Unit unit = window.images() ? Unit.IMAGES : Unit.REQUESTS;
            if (configured(unit, window.limit().calendarDay()) || learned.containsKey(window.key())) {
                continue;
            }
            QuotaWindow installed = window(unit, window.limit(), "a 429 of an earlier run at " + window.learnedAt());
            // an earlier run's admissions still in the server's window count here too (no ticket: never restamped)
            window.counted().stream().filter(at -> !at.isAfter(now)).forEach(at -> installed.record(at, 1, 0));
            install(window.key(), installed, window.learnedAt());
        }
    }

    List<QuotaSnapshot.WindowUsage> usage(Instant now) {
        List<QuotaSnapshot.WindowUsage> usage = new ArrayList<>();
        for (QuotaWindow window : windows()) {
            usage.add(new QuotaSnapshot.WindowUsage(window.unit.label, window.limit, window.learned(),
                    window.used(now), window.nextRelease(now)));
        }
        return usage;
    }

    private Instant spacedAfterLast(QuotaWindow window) {
        if (lastAdmission == null || window.limit.calendarDay()
                || window.limit.period().compareTo(Spreading.LONGEST_PERIOD) > 0) {
            return null;
        }
        int weight = weight(window, lastAdmissionImages);
        if (weight == 0) {
            return null;
        }
        return lastAdmission.plus(Durations.ofSeconds(window.limit.averageSpacing().toNanos() / 1e9 * weight * Spreading.FACTOR));
    }

    private List<QuotaWindow> windows() {
        return all;
    }

    private static int weight(QuotaWindow window, int images) {
        return window.unit == Unit.IMAGES ? images : 1;
    }

    /** Until when {@code wait} holds a request: {@code now} when nothing does. */
    static Instant until(Admission.Wait wait, Instant now) {
        return wait == null ? now : wait.until();
    }
}
