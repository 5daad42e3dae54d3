package io.github.geminiimagebatch.observe;

import io.github.geminiimagebatch.pipeline.RunListener;
import io.github.geminiimagebatch.pipeline.RunState;
import io.github.geminiimagebatch.pipeline.WorkItem;
import io.github.geminiimagebatch.provider.BatchJobView;
import io.github.geminiimagebatch.provider.ProviderRuntime;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The {@code imagegen_*} series on a Micrometer registry (in the product: the Prometheus registry
 * Camel scrapes at {@code /observe/metrics}). Counters are fed by the run as it happens; gauges are
 * read from the run and the providers when scraped, so they are never stale.
 *
 * <pre>
 * imagegen_images_total{provider,status}      items settled (provider "none" when no call was made)
 * imagegen_calls_total{provider}              requests sent
 * imagegen_throttles_total{provider,kind}     429s (kind: per_minute, per_day, tokens_per_minute, images_per_minute, unknown, zero_quota)
 * imagegen_retries_total{provider}            items sent again after a 429 or a server error
 * imagegen_cost_usd_total{provider}           list-price cost of the images made
 * imagegen_inflight{provider}                 requests in flight now
 * imagegen_provider_pause_seconds{provider}   seconds until the provider takes requests again (0 when open)
 * imagegen_provider_available{provider}       1 when the provider takes requests now, else 0
 * imagegen_queue_depth                        items read from prompt files and not yet settled
 * </pre>
 */
public final class RunMetrics implements RunListener {

    private static final String NONE = "none";

    private final MeterRegistry registry;
    private final RunState run;

    private RunMetrics(MeterRegistry registry, RunState run) {
        this.registry = registry;
        this.run = run;
    }

    /** Registers the gauges and listens to {@code run} for the counters. */
    public static RunMetrics register(MeterRegistry registry, RunState run) {
        RunMetrics metrics = new RunMetrics(registry, run);
        for (String state : List.of("CREATING", "PENDING", "RUNNING", "SUCCEEDED")) {
            Gauge.builder("imagegen.batch.jobs", run, r -> r.batchJobs().stream().filter(job -> job.state().equals(state)).count())
                    .description("Gemini Batch API jobs of this run by state (SUCCEEDED: results being handed out)")
                    .tag("state", state.toLowerCase(Locale.ROOT)).register(registry);
        }
        Gauge.builder("imagegen.batch.job.items", run, r -> r.batchJobs().stream().filter(BatchJobView::inFlight).mapToInt(BatchJobView::items).sum())
                .description("Items waiting in unfinished Gemini Batch API jobs").register(registry);
        Gauge.builder("imagegen.batch.job.oldest.seconds", run, r -> r.batchJobs().stream().filter(BatchJobView::inFlight)
                        .mapToLong(job -> job.age(r.clock().instant()).toSeconds()).max().orElse(0))
                .description("Age of the oldest unfinished Gemini Batch API job").register(registry);
        Gauge.builder("imagegen.queue.depth", run, RunState::unsettled)
                .description("Items read from prompt files and not yet settled")
                .register(registry);
        for (ProviderRuntime p : run.providers()) {
            Gauge.builder("imagegen.inflight", p, ProviderRuntime::inFlight)
                    .description("Requests in flight to the provider")
                    .tag("provider", p.name()).register(registry);
            Gauge.builder("imagegen.provider.pause.seconds", p, metrics::pauseSeconds)
                    .description("Seconds until the provider takes requests again (0 when open)")
                    .tag("provider", p.name()).register(registry);
            Gauge.builder("imagegen.provider.available", p, provider -> metrics.available(provider) ? 1 : 0)
                    .description("1 when the provider takes requests now, else 0")
                    .tag("provider", p.name()).register(registry);
            for (WorkItem.Status status : WorkItem.Status.values()) {
                if (status != WorkItem.Status.WORKING) {
                    images(registry, p.name(), status);
                }
            }
            calls(registry, p.name());
            retries(registry, p.name());
            cost(registry, p.name());
        }
        run.listen(metrics);
        return metrics;
    }

    @Override
    public void called(String provider) {
        calls(registry, provider).increment();
    }

    @Override
    public void throttled(String provider, String kind) {
        Counter.builder("imagegen.throttles").description("HTTP 429 answers by the quota they named")
                .tag("provider", provider).tag("kind", kind).register(registry).increment();
    }

    @Override
    public void retried(String provider) {
        retries(registry, provider).increment();
    }

    @Override
    public void settled(String provider, WorkItem.Status status, double costUsd) {
        String name = provider == null ? NONE : provider;
        images(registry, name, status).increment();
        if (costUsd > 0) {
            cost(registry, name).increment(costUsd);
        }
    }

    /** Seconds until the provider takes requests again: a pause, a closed day or an open circuit; 0 when open or unusable. */
    double pauseSeconds(ProviderRuntime p) {
        Instant now = run.clock().instant();
        return p.state(now).remaining(now).toMillis() / 1000.0;
    }

    boolean available(ProviderRuntime p) {
        return p.state(run.clock().instant()).takesRequests();
    }

    private static Counter images(MeterRegistry registry, String provider, WorkItem.Status status) {
        return Counter.builder("imagegen.images").description("Items settled, by provider and status")
                .tag("provider", provider).tag("status", status.name().toLowerCase(Locale.ROOT)).register(registry);
    }

    private static Counter calls(MeterRegistry registry, String provider) {
        return Counter.builder("imagegen.calls").description("Requests sent to the provider")
                .tag("provider", provider).register(registry);
    }

    private static Counter retries(MeterRegistry registry, String provider) {
        return Counter.builder("imagegen.retries").description("Items sent again after a 429 or a server error")
                .tag("provider", provider).register(registry);
    }

    private static Counter cost(MeterRegistry registry, String provider) {
        return Counter.builder("imagegen.cost.usd").description("List-price cost of the images made, USD")
                .tag("provider", provider).register(registry);
    }
}
