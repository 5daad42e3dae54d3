package io.github.geminiimagebatch.web;

import io.github.geminiimagebatch.pipeline.BatchRun;
import io.github.geminiimagebatch.pipeline.RunListener;
import io.github.geminiimagebatch.pipeline.WorkItem;

import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the status page knows beyond the run's totals, heard as the run goes: the batches opened
 * (in order), each provider's calls, images, 429s by kind and cost, and the same over time.
 * Every method is cheap and thread-safe: the pipeline calls it from its own threads.
 */
public final class StatusBoard implements RunListener {

    /** A service runs for weeks: the page shows the latest batches, and forgets finished ones beyond these. */
    static final int BATCHES_KEPT = 100;

    /** One bucket of the chart; an hour of them is kept. */
    static final Duration BUCKET = Duration.ofSeconds(5);
    static final int BUCKETS_KEPT = 720;

    /** One provider's totals in this run. */
    static final class ProviderCounts {
        final LongAdder calls = new LongAdder();
        final LongAdder images = new LongAdder();
        final LongAdder retries = new LongAdder();
        final DoubleAdder costUsd = new DoubleAdder();
        final Map<String, LongAdder> throttles = new ConcurrentHashMap<>();

        Map<String, Long> throttlesByKind() {
            Map<String, Long> copy = new TreeMap<>();
            throttles.forEach((kind, n) -> copy.put(kind, n.sum()));
            return copy;
        }
    }

    private final Clock clock;
    private final ActivitySeries series;
    private final ConcurrentSkipListMap<Integer, BatchRun> batches = new ConcurrentSkipListMap<>();
    private final AtomicInteger opened = new AtomicInteger();
    private final Map<String, ProviderCounts> providers = new ConcurrentHashMap<>();

    public StatusBoard(Clock clock, List<String> providerNames) {
        this.clock = clock;
        this.series = new ActivitySeries(clock.instant(), BUCKET, BUCKETS_KEPT);
        providerNames.forEach(name -> {
            providers.put(name, new ProviderCounts());
            series.provider(name);
        });
    }

    @Override
    public void called(String provider) {
        counts(provider).calls.increment();
    }

    @Override
    public void throttled(String provider, String kind) {
        counts(provider).throttles.computeIfAbsent(kind, k -> new LongAdder()).increment();
        series.throttle(provider, kind, clock.instant());
    }

    @Override
    public void retried(String provider) {
        counts(provider).retries.increment();
    }

    @Override
    public void settled(String provider, WorkItem.Status status, double costUsd) {
        if (provider == null || status != WorkItem.Status.OK) {
            return;
        }
        ProviderCounts counts = counts(provider);
        counts.images.increment();
        counts.costUsd.add(costUsd);
        series.image(provider, clock.instant());
    }

    @Override
    public void batchOpened(BatchRun batch) {
        batches.put(opened.getAndIncrement(), batch);
        Iterator<BatchRun> oldest = batches.values().iterator();
        while (batches.size() > BATCHES_KEPT && oldest.hasNext()) {
            if (!oldest.next().hasPending()) {
                oldest.remove();
            }
        }
    }

    /** The batches shown, by their number in the run (0 for the first one opened), oldest first. */
    public SortedMap<Integer, BatchRun> batches() {
        return Collections.unmodifiableSortedMap(batches.clone());
    }

    public Optional<BatchRun> batch(int number) {
        return Optional.ofNullable(batches.get(number));
    }

    /**
     * True when {@code imageName} ({@code B/I.ext}) is the stored image of an item of this run: the
     * only images the page makes thumbnails of.
     */
    public boolean isStoredImage(String imageName) {
        int slash = imageName.indexOf('/');
        if (slash <= 0) {
            return false;
        }
        String batchName = imageName.substring(0, slash);
        for (BatchRun batch : batches.values()) {
            if (batch.getName().equals(batchName)
                    && batch.getItems().stream().anyMatch(i -> imageName.equals(i.getStoredImage()))) {
                return true;
            }
        }
        return false;
    }

    ProviderCounts counts(String provider) {
        return providers.computeIfAbsent(provider, p -> new ProviderCounts());
    }

    ActivitySeries.Snapshot series() {
        return series.snapshot(clock.instant());
    }
}
