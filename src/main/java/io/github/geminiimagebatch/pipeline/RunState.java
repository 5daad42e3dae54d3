package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.provider.ProviderRuntime;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Totals and outcome of the whole run, across batches: what the exit code and the progress line are made of. */
public final class RunState {

    /** Exit codes of the product contract. */
    public static final int EXIT_OK = 0;
    public static final int EXIT_CONFIG = 1;
    public static final int EXIT_FAILED_ITEMS = 2;
    public static final int EXIT_QUOTA_PENDING = 3;

    private final Clock clock;
    private final Instant startedAt;
    private final List<ProviderRuntime> providers;
    private final Map<WorkItem.Status, AtomicLong> settled = new EnumMap<>(WorkItem.Status.class);
    private final AtomicLong queued = new AtomicLong();
    private final AtomicInteger rejectedFiles = new AtomicInteger();
    private final AtomicInteger activeBatches = new AtomicInteger();
    private final Map<String, String> pendingReasons = new LinkedHashMap<>();
    private volatile boolean stopping;
    private volatile boolean authBlocked;
    private volatile double costUsd;

    public RunState(List<ProviderRuntime> providers, Clock clock) {
        this.providers = List.copyOf(providers);
        this.clock = clock;
        this.startedAt = clock.instant();
        for (WorkItem.Status s : WorkItem.Status.values()) {
            settled.put(s, new AtomicLong());
        }
    }

    public List<ProviderRuntime> providers() {
        return providers;
    }

    /** Each provider's total time paused so far (after 429s and server errors). */
    public Map<String, java.time.Duration> pausedByProvider() {
        Map<String, java.time.Duration> paused = new LinkedHashMap<>();
        providers.forEach(p -> paused.put(p.name(), p.quota().pausedTime()));
        return paused;
    }

    public Clock clock() {
        return clock;
    }

    public Instant startedAt() {
        return startedAt;
    }

    void queued(int items) {
        queued.addAndGet(items);
    }

    void settled(WorkItem item) {
        settled.get(item.getStatus()).incrementAndGet();
        synchronized (this) {
            costUsd += item.getCostUsd();
        }
    }

    void rejectedFile() {
        rejectedFiles.incrementAndGet();
    }

    void batchStarted() {
        activeBatches.incrementAndGet();
    }

    void batchEnded() {
        activeBatches.decrementAndGet();
    }

    public int activeBatches() {
        return activeBatches.get();
    }

    synchronized void pending(String reasonClass, String message, boolean causedByAuth) {
        pendingReasons.putIfAbsent(reasonClass + ":" + message, message);
        if (causedByAuth) {
            authBlocked = true;
        }
    }

    public long count(WorkItem.Status status) {
        return settled.get(status).get();
    }

    public long queued() {
        return queued.get();
    }

    public synchronized double costUsd() {
        return costUsd;
    }

    public int rejectedFiles() {
        return rejectedFiles.get();
    }

    public boolean stopping() {
        return stopping;
    }

    public void stop() {
        stopping = true;
    }

    public synchronized List<String> pendingReasons() {
        return new ArrayList<>(pendingReasons.values());
    }

    /** 1 when a provider refused our credentials and work is left; 3 when a quota left work pending; 2 when items failed. */
    public int exitCode() {
        boolean pendingWork = count(WorkItem.Status.PENDING) > 0;
        if (pendingWork && authBlocked) {
            return EXIT_CONFIG;
        }
        if (pendingWork) {
            return EXIT_QUOTA_PENDING;
        }
        if (count(WorkItem.Status.FAILED) > 0 || rejectedFiles() > 0) {
            return EXIT_FAILED_ITEMS;
        }
        return EXIT_OK;
    }
}
