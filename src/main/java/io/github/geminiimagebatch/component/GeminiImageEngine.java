package io.github.geminiimagebatch.component;

import io.github.geminiimagebatch.pipeline.BatchRun;
import io.github.geminiimagebatch.pipeline.Dispatcher;
import io.github.geminiimagebatch.pipeline.ItemCalls;
import io.github.geminiimagebatch.pipeline.RunState;
import io.github.geminiimagebatch.provider.ProviderGateway;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every {@code gemini-image} endpoint of one CamelContext shares: one gateway (so one quota,
 * breaker and failover state per provider), the run state and the defaults for what a message
 * does not say. An endpoint's {@code providers} option picks its failover order among them.
 */
public final class GeminiImageEngine {

    private final ProviderGateway gateway;
    private final RunState run;
    private final int maxAttempts;
    private final boolean once;
    private final Defaults defaults;
    private final Clock clock;
    private final Dispatcher dispatcher;
    private final BatchRun batch;
    private final Map<List<String>, ItemCalls> callsByOrder = new ConcurrentHashMap<>();

    /** What a message gets when neither it, its headers nor the endpoint say. */
    public record Defaults(String model, String aspectRatio, String imageSize) {
    }

    /**
     * @param once true: a message no provider can serve before a per-day quota or the daily budget
     *             renews fails at once with the reason (an open circuit is still waited for); false:
     *             it waits, as the bundle's service does
     */
    public GeminiImageEngine(ProviderGateway gateway, RunState run, int maxAttempts, boolean once, Defaults defaults,
                             Clock clock) {
        this.gateway = gateway;
        this.run = run;
        this.maxAttempts = maxAttempts;
        this.once = once;
        this.defaults = defaults;
        this.clock = clock;
        this.dispatcher = new Dispatcher(run, gateway, maxAttempts, once);
        this.batch = new BatchRun("gemini-image", null, clock.instant());
    }

    /** The dispatcher over every configured provider in order; the bundle's routes use this one. */
    public Dispatcher dispatcher() {
        return dispatcher;
    }

    public ProviderGateway gateway() {
        return gateway;
    }

    Defaults defaults() {
        return defaults;
    }

    Clock clock() {
        return clock;
    }

    /** Counters for messages that come from no prompt file. */
    BatchRun batch() {
        return batch;
    }

    /** The attempts loop over {@code providers} in that order (every configured provider when empty). */
    ItemCalls calls(List<String> providers) {
        return callsByOrder.computeIfAbsent(List.copyOf(providers), order -> new ItemCalls(order.isEmpty()
                ? dispatcher : new Dispatcher(run, gateway.only(order), maxAttempts, once)));
    }
}
