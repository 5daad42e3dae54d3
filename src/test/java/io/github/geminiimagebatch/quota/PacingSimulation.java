package io.github.geminiimagebatch.quota;

import io.github.geminiimagebatch.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * Discrete-event simulation of the lead's dispatcher against a server that enforces sliding
 * windows the way the product's simulator does: a request is admitted if fewer than N were
 * admitted in the last W; its 429 carries Google's body (QuotaFailure with quotaValue, RetryInfo
 * cut to whole seconds, the precise "Please retry in" in the message), which goes through the
 * real {@link ThrottleClassifier}. No threads, no sleeping: the clock jumps from event to event.
 */
final class PacingSimulation {

    /** The server side: sliding windows counted at arrival. */
    static final class SlidingWindowServer {
        private final long requestsPerWindow;
        private final long imagesPerWindow;
        private final Duration window;
        private final boolean describesItself;
        private final ArrayDeque<Instant> requests = new ArrayDeque<>();
        private final ArrayDeque<Instant> images = new ArrayDeque<>();

        /**
         * @param imagesPerWindow 0 for no image limit
         * @param describesItself false: bare 429 with no details, like Vertex shared quota
         */
        SlidingWindowServer(long requestsPerWindow, long imagesPerWindow, Duration window, boolean describesItself) {
            this.requestsPerWindow = requestsPerWindow;
            this.imagesPerWindow = imagesPerWindow;
            this.window = window;
            this.describesItself = describesItself;
        }

        /** Counts in fixed windows aligned to the epoch (a calendar minute) instead of sliding ones. */
        SlidingWindowServer fixedWindows() {
            fixed = true;
            return this;
        }

        private boolean fixed;

        /** Null when admitted, else the 429 body. */
        String offer(Instant arrival, int imageCount) {
            if (fixed) {
                return offerFixed(arrival);
            }
            drop(requests, arrival);
            drop(images, arrival);
            if (requestsPerWindow > 0 && requests.size() >= requestsPerWindow) {
                return tooMany("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", requestsPerWindow,
                        Duration.between(arrival, requests.peekFirst().plus(window)));
            }
            if (imagesPerWindow > 0 && images.size() + imageCount > imagesPerWindow) {
                return tooMany("GenerateContentOutputImagesPerMinutePerProjectPerModel-FreeTier", imagesPerWindow,
                        Duration.between(arrival, images.peekFirst().plus(window)));
            }
            requests.addLast(arrival);
            for (int i = 0; i < imageCount; i++) {
                images.addLast(arrival);
            }
            return null;
        }

        private String offerFixed(Instant arrival) {
            long windowNanos = window.toNanos();
            long bucket = Math.floorDiv(arrival.getEpochSecond() * 1_000_000_000L + arrival.getNano(), windowNanos);
            Instant bucketEnd = Instant.EPOCH.plusNanos((bucket + 1) * windowNanos);
            requests.removeIf(at -> !at.plus(window).isAfter(bucketEnd));
            if (requests.size() >= requestsPerWindow) {
                return tooMany("GenerateRequestsPerMinutePerProjectPerModel-FreeTier", requestsPerWindow,
                        Duration.between(arrival, bucketEnd));
            }
            requests.addLast(arrival);
            return null;
        }

        private void drop(ArrayDeque<Instant> log, Instant arrival) {
            while (!log.isEmpty() && !log.peekFirst().plus(window).isAfter(arrival)) {
                log.removeFirst();
            }
        }

        private String tooMany(String quotaId, long limit, Duration retryAfter) {
            if (!describesItself) {
                return "{\"error\":{\"code\":429,\"message\":\"Resource exhausted. Please try again later.\",\"status\":\"RESOURCE_EXHAUSTED\"}}";
            }
            double seconds = retryAfter.toNanos() / 1e9;
            return ThrottleClassifierTest.quotaFailure(quotaId, String.valueOf(limit), (long) seconds + "s",
                    String.format(Locale.ROOT, "You exceeded your current quota. Please retry in %.6fs.", seconds));
        }
    }

    /**
     * @param accepted       accepted after warm-up
     * @param throttled      refused after warm-up
     * @param totalAccepted  accepted over the whole run, warm-up (when learning happens) included
     * @param totalThrottled refused over the whole run
     */
    record Result(long accepted, long throttled, long totalAccepted, long totalThrottled, Duration elapsed,
                  ProviderQuota quota) {
        /** 429s as a share of all requests sent, learning phase included. */
        double throttledShare() {
            return totalAccepted + totalThrottled == 0 ? 0 : (double) totalThrottled / (totalAccepted + totalThrottled);
        }

        /** Accepted requests per second over the measured span. */
        double acceptedPerSecond() {
            return accepted / (elapsed.toNanos() / 1e9);
        }
    }

    private record Event(Instant at, long sequence, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event other) {
            int byTime = at.compareTo(other.at);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    private final MutableClock clock;
    private final ProviderQuota quota;
    private final SlidingWindowServer server;
    private final int maxConcurrency;
    private final Duration generationLatency;
    private final Duration throttleLatency = Duration.ofMillis(30);
    private final Duration networkDelay = Duration.ofMillis(3);
    private final int imagesPerRequest;
    private final Random latencyNoise = new Random(7);
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private long sequence;
    private int inFlight;
    private long wakeGeneration;
    private Instant measureFrom;
    private long accepted;
    private long throttled;
    private long totalAccepted;
    private long totalThrottled;

    PacingSimulation(MutableClock clock, ProviderQuota quota, SlidingWindowServer server, int maxConcurrency,
                     Duration generationLatency, int imagesPerRequest) {
        this.clock = clock;
        this.quota = quota;
        this.server = server;
        this.maxConcurrency = maxConcurrency;
        this.generationLatency = generationLatency;
        this.imagesPerRequest = imagesPerRequest;
    }

    /** Runs for {@code warmUp + measured}; counts only what the server accepted or refused after warm-up. */
    Result run(Duration warmUp, Duration measured) {
        Instant start = clock.instant();
        measureFrom = start.plus(warmUp);
        Instant end = measureFrom.plus(measured);
        wakeDispatcher(start);
        while (!events.isEmpty() && events.peek().at.isBefore(end)) {
            Event event = events.poll();
            clock.set(event.at);
            event.action.run();
        }
        clock.set(end);
        return new Result(accepted, throttled, totalAccepted, totalThrottled, measured, quota);
    }

    private void schedule(Instant at, Runnable action) {
        events.add(new Event(at, sequence++, action));
    }

    /** Like the dispatcher's timed sleep: one pending wake-up at most, a response wakes it early. */
    private void wakeDispatcher(Instant at) {
        long wake = ++wakeGeneration;
        schedule(at, () -> {
            if (wake == wakeGeneration) {
                dispatch();
            }
        });
    }

    private void dispatch() {
        wakeGeneration++;
        while (inFlight < maxConcurrency) {
            Admission admission = quota.tryAdmit(imagesPerRequest);
            if (admission instanceof Admission.Wait wait) {
                wakeDispatcher(wait.until());
                return;
            }
            if (admission instanceof Admission.Closed closed) {
                throw new AssertionError("provider closed in a pacing simulation: " + closed);
            }
            send(clock.instant());
        }
    }

    private void send(Instant sentAt) {
        inFlight++;
        Instant arrival = sentAt.plus(networkDelay);
        String throttleBody = server.offer(arrival, imagesPerRequest);
        boolean counts = !arrival.isBefore(measureFrom);
        if (throttleBody == null) {
            totalAccepted++;
            if (counts) {
                accepted++;
            }
            Duration latency = generationLatency.plusMillis(latencyNoise.nextInt(200));
            schedule(arrival.plus(latency).plus(networkDelay), () -> {
                inFlight--;
                quota.onSuccess();
                dispatch();
            });
        } else {
            totalThrottled++;
            if (counts) {
                throttled++;
            }
            schedule(arrival.plus(throttleLatency).plus(networkDelay), () -> {
                inFlight--;
                quota.onThrottled(ThrottleClassifier.classify(throttleBody, name -> null, clock.instant()));
                dispatch();
            });
        }
    }
}
