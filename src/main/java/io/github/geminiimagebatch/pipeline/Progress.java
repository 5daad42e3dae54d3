package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.provider.ProviderRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The steady progress line: done / skipped / failed / pending of total, pace, ETA, pauses and cost. */
public final class Progress {

    private static final Logger LOG = LoggerFactory.getLogger("progress");

    private final RunState run;

    public Progress(RunState run) {
        this.run = run;
    }

    public void log() {
        if (run.queued() == 0) {
            return;
        }
        LOG.info(line(run.clock().instant()));
    }

    public String line(Instant now) {
        long ok = run.count(WorkItem.Status.OK);
        long skipped = run.count(WorkItem.Status.SKIPPED);
        long failed = run.count(WorkItem.Status.FAILED);
        long settled = ok + skipped + failed + run.count(WorkItem.Status.PENDING);
        long open = Math.max(0, run.queued() - settled);
        double minutes = Math.max(1e-3, Duration.between(run.startedAt(), now).toMillis() / 60_000.0);
        double perMinute = ok / minutes;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "generating: %d ok, %d skipped, %d failed, %d to go of %d | %.1f images/min | ETA %s | %.2f USD",
                ok, skipped, failed, open, run.queued(), perMinute, eta(open, perMinute), run.costUsd()));
        List<String> states = providerStates(now);
        if (!states.isEmpty()) {
            line.append(" | ").append(String.join("; ", states));
        }
        return line.toString();
    }

    static String eta(long open, double perMinute) {
        if (open == 0) {
            return "0s";
        }
        if (perMinute <= 0) {
            return "unknown";
        }
        long seconds = Math.round(open / perMinute * 60);
        return format(Duration.ofSeconds(seconds));
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
            if (!p.usable()) {
                states.add(p.name() + " unusable: " + p.unusableReason());
                continue;
            }
            String state = ProviderStatus.describe(p, now);
            if (state != null) {
                states.add(state);
            }
        }
        return states;
    }
}
