package io.github.geminiimagebatch.observe;

import io.github.geminiimagebatch.provider.BatchJobView;
import io.github.geminiimagebatch.provider.ProviderRuntime;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Camel health check {@code imagegen/provider-<name>} (shown at {@code /observe/health}): DOWN when
 * the provider cannot take requests for a while (see {@link ProviderHealth}). It is a readiness
 * check only: a provider out of quota is no reason to restart the process.
 */
public final class ProviderHealthCheck extends AbstractHealthCheck {

    private final ProviderRuntime provider;
    private final Clock clock;
    private final Supplier<List<BatchJobView>> batchJobs;

    public ProviderHealthCheck(ProviderRuntime provider, Clock clock) {
        this(provider, clock, List::of);
    }

    /** With {@code batchJobs}, a provider in Batch API mode also shows its jobs in flight, their items and the oldest's age. */
    public ProviderHealthCheck(ProviderRuntime provider, Clock clock, Supplier<List<BatchJobView>> batchJobs) {
        super("imagegen", "provider-" + provider.name());
        this.provider = provider;
        this.clock = clock;
        this.batchJobs = batchJobs;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        ProviderHealth health = ProviderHealth.of(provider, clock.instant());
        builder.message(health.message()).details(health.details());
        if (provider.settings().batchMode()) {
            Instant now = clock.instant();
            List<BatchJobView> jobs = batchJobs.get().stream().filter(job -> job.provider().equals(provider.name()) && job.inFlight()).toList();
            builder.detail("batchJobs", jobs.size());
            builder.detail("batchJobItems", jobs.stream().mapToInt(BatchJobView::items).sum());
            builder.detail("oldestBatchJobSeconds", jobs.stream().mapToLong(job -> job.age(now).toSeconds()).max().orElse(0));
        }
        if (health.up()) {
            builder.up();
        } else {
            builder.down();
        }
    }
}
