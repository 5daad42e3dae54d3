package io.github.geminiimagebatch.pipeline;

import io.github.geminiimagebatch.provider.BatchJobView;
import io.github.geminiimagebatch.provider.ProviderRuntime;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
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
    private final String instance;
    private final Instant startedAt;
    private final List<ProviderRuntime> providers;
    private final Map<WorkItem.Status, AtomicLong> settled = new EnumMap<>(WorkItem.Status.class);
    private final AtomicLong queued = new AtomicLong();
    private final AtomicInteger rejectedFiles = new AtomicInteger();
    private final Set<String> documents = new LinkedHashSet<>();
    private final AtomicInteger activeBatches = new AtomicInteger();
    private final Map<String, String> pendingReasons = new LinkedHashMap<>();
    private volatile boolean stopping;
    private volatile boolean authBlocked;
    private volatile String outputProblem;
    private volatile double costUsd;
    private final List<RunListener> listeners = new ArrayList<>();
    private volatile RunListener listener = RunListener.NONE;
    private volatile Supplier<List<BatchJobView>> batchJobs = List::of;
    private Instant busySince;
    private long madeWhenBusy;

    public RunState(List<ProviderRuntime> providers, Clock clock) {
        this(providers, clock, "local");
    }

    /** @param instance this process's name among instances sharing a work queue ({@code imagegen.instance}) */
    public RunState(List<ProviderRuntime> providers, Clock clock, String instance) {
        this.providers = List.copyOf(providers);
        this.clock = clock;
        this.instance = instance;
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

    /** This process's name in sidecars and manifest lines ({@code imagegen.instance}). */
    public String instance() {
        return instance;
    }

    public Instant startedAt() {
        return startedAt;
    }

    void queued(int items) {
        synchronized (this) {
            if (unsettled() == 0) {
                busySince = clock.instant();
                madeWhenBusy = count(WorkItem.Status.OK);
            }
            queued.addAndGet(items);
        }
    }

    /** When the current stretch of work began: the first batch opened after everything had settled. */
    public synchronized Instant busySince() {
        return busySince == null ? startedAt : busySince;
    }

    /** Images made before the current stretch of work began. */
    public synchronized long madeWhenBusy() {
        return madeWhenBusy;
    }

    void settled(WorkItem item) {
        settled.get(item.getStatus()).incrementAndGet();
        synchronized (this) {
            costUsd += item.getSpentNowUsd();
        }
        listener.settled(item.getProvider(), item.getStatus(), item.getSpentNowUsd());
    }

    /** Where the Gemini Batch API jobs of this run are read from (none unless a provider is in batch mode). */
    public void showBatchJobs(Supplier<List<BatchJobView>> source) {
        this.batchJobs = source;
    }

    public List<BatchJobView> batchJobs() {
        return batchJobs.get();
    }

    /** Adds an observer of the run (metrics, the status page); each one hears everything from now on. */
    public synchronized void listen(RunListener added) {
        listeners.add(added);
        this.listener = RunListener.all(listeners);
    }

    RunListener listener() {
        return listener;
    }

    /** Items opened but not yet settled: queued or in progress. */
    public long unsettled() {
        long done = 0;
        for (AtomicLong n : settled.values()) {
            done += n.get();
        }
        return Math.max(0, queued.get() - done);
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

    /**
     * Items left for a later run: settled as pending, plus items that never settled because the run was
     * stopped before they got through (a shutdown that outlasted imagegen.shutdown.timeout).
     */
    public long unfinished() {
        long settledItems = 0;
        for (AtomicLong n : settled.values()) {
            settledItems += n.get();
        }
        return count(WorkItem.Status.PENDING) + Math.max(0, queued.get() - settledItems);
    }

    public synchronized double costUsd() {
        return costUsd;
    }

    public int rejectedFiles() {
        return rejectedFiles.get();
    }

    /** Records a batch document written by this run ({@code mix/failed.jsonl}), for the closing line. */
    void wrote(String document) {
        synchronized (documents) {
            documents.add(document);
        }
    }

    /** The batch documents of this run with this file name ({@code failed.jsonl}), as {@code folder/file}, in order. */
    public List<String> documents(String fileName) {
        synchronized (documents) {
            return documents.stream().filter(d -> d.endsWith("/" + fileName)).toList();
        }
    }

    public boolean stopping() {
        return stopping;
    }

    public void stop() {
        stopping = true;
    }

    /**
     * Outputs could not be written (disk full, a path taken by a file or folder, permissions): no new
     * request is sent for the rest of the run, because every image made now would be paid for and lost.
     */
    synchronized void outputsFailed(String message) {
        if (outputProblem == null) {
            outputProblem = message;
        }
        pendingReasons.putIfAbsent("output_error", message.endsWith(".") ? message : message + ".");
    }

    /**
     * A prompt file is read again (service mode): its items of the earlier reading leave the totals, so
     * an item counts once, as its latest reading settled it. What was spent stays spent.
     */
    public void readAgain(Map<WorkItem.Status, Long> earlierReading) {
        long items = 0;
        for (Map.Entry<WorkItem.Status, Long> e : earlierReading.entrySet()) {
            settled.get(e.getKey()).addAndGet(-e.getValue());
            items += e.getValue();
        }
        queued.addAndGet(-items);
    }

    /** The outputs answered a probe again (service mode): sending resumes and the output reason is dropped. */
    public synchronized void outputsRecovered() {
        outputProblem = null;
        pendingReasons.keySet().removeIf(key -> key.startsWith("output_error"));
    }

    /** Why outputs cannot be written, or null while they can. */
    public String outputProblem() {
        return outputProblem;
    }

    public synchronized List<String> pendingReasons() {
        return new ArrayList<>(pendingReasons.values());
    }

    /**
     * 1 when a provider refused our credentials or outputs could not be written and work is left; 3 when
     * a quota left work pending; 2 when items failed.
     */
    public int exitCode() {
        boolean pendingWork = unfinished() > 0;
        if (pendingWork && (authBlocked || outputProblem != null)) {
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
