package io.github.geminiimagebatch.web;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What each provider did over time, in fixed buckets: images made and 429s by the quota they named.
 * Only the last {@code keep} buckets are held, so a service that runs for weeks uses the same memory
 * as one that ran for a minute. Times come from the caller (the run's clock).
 */
public final class ActivitySeries {

    /** What happened in one bucket at one provider: images made and 429s by kind. */
    private static final class Bucket {
        final long index;
        long images;
        final Map<String, Long> throttles = new TreeMap<>();

        Bucket(long index) {
            this.index = index;
        }
    }

    /** One provider's buckets, oldest first, each with the same number of values. */
    public record ProviderSeries(List<Long> images, Map<String, List<Long>> throttles) {
    }

    /** The buckets from {@code start} (inclusive) to the one holding "now", for every provider seen. */
    public record Snapshot(Instant start, Duration bucket, int buckets, Map<String, ProviderSeries> providers) {
    }

    private final Duration bucket;
    private final int keep;
    private final Instant origin;
    private final Map<String, Deque<Bucket>> byProvider = new TreeMap<>();

    /**
     * @param origin where the first bucket starts (the run's start): buckets before it are never shown
     * @param bucket  the width of a bucket
     * @param keep    how many buckets are held (older ones are dropped)
     */
    public ActivitySeries(Instant origin, Duration bucket, int keep) {
        if (bucket.isZero() || bucket.isNegative() || keep < 1) {
            throw new IllegalArgumentException("bucket must be positive and keep at least 1");
        }
        this.origin = origin;
        this.bucket = bucket;
        this.keep = keep;
    }

    public synchronized void image(String provider, Instant at) {
        at(provider, at).images++;
    }

    public synchronized void throttle(String provider, String kind, Instant at) {
        at(provider, at).throttles.merge(kind, 1L, Long::sum);
    }

    /** Providers named here appear even before they did anything (a flat line rather than no chart). */
    public synchronized void provider(String provider) {
        byProvider.computeIfAbsent(provider, p -> new ArrayDeque<>());
    }

    public synchronized Snapshot snapshot(Instant now) {
        long last = Math.max(0, index(now));
        long first = Math.max(0, last - keep + 1);
        int count = (int) (last - first + 1);
        Map<String, ProviderSeries> providers = new TreeMap<>();
        TreeSet<String> kinds = new TreeSet<>();
        byProvider.values().forEach(d -> d.forEach(b -> kinds.addAll(b.throttles.keySet())));
        byProvider.forEach((name, buckets) -> {
            long[] images = new long[count];
            Map<String, long[]> throttles = new TreeMap<>();
            kinds.forEach(k -> throttles.put(k, new long[count]));
            for (Bucket b : buckets) {
                if (b.index >= first && b.index <= last) {
                    int slot = (int) (b.index - first);
                    images[slot] = b.images;
                    b.throttles.forEach((kind, n) -> throttles.get(kind)[slot] = n);
                }
            }
            Map<String, List<Long>> throttleLists = new TreeMap<>();
            throttles.forEach((kind, values) -> throttleLists.put(kind, list(values)));
            providers.put(name, new ProviderSeries(list(images), throttleLists));
        });
        return new Snapshot(origin.plus(bucket.multipliedBy(first)), bucket, count, providers);
    }

    private Bucket at(String provider, Instant at) {
        long index = Math.max(0, index(at));
        Deque<Bucket> buckets = byProvider.computeIfAbsent(provider, p -> new ArrayDeque<>());
        Bucket newest = buckets.peekLast();
        if (newest != null && newest.index >= index) {
            // events arrive in time order from several threads; one a hair late lands in the newest bucket
            return newest;
        }
        Bucket created = new Bucket(index);
        buckets.addLast(created);
        while (buckets.peekFirst().index <= index - keep) {
            buckets.removeFirst();
        }
        return created;
    }

    private long index(Instant at) {
        return Math.floorDiv(Duration.between(origin, at).toMillis(), bucket.toMillis());
    }

    private static List<Long> list(long[] values) {
        List<Long> list = new ArrayList<>(values.length);
        for (long v : values) {
            list.add(v);
        }
        return list;
    }
}
