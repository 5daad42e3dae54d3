package io.github.geminiimagebatch.batchapi;

import io.github.geminiimagebatch.config.ProviderSettings;
import io.github.geminiimagebatch.gemini.DecodedResponse;
import io.github.geminiimagebatch.gemini.Outcome;
import io.github.geminiimagebatch.pipeline.ItemExchange;
import io.github.geminiimagebatch.pipeline.WorkItem;
import io.github.geminiimagebatch.provider.BatchJobView;
import io.github.geminiimagebatch.provider.JobEndedException;
import org.apache.camel.Exchange;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * The step of the {@code gemini-batch} route template (routes/provider-gemini-batch.camel.yaml): hands the item
 * to its provider's Batch API jobs and waits until the job that carries it has ended. The answer is the item's
 * own generateContent response, decoded like an interactive one, so everything after this step is the same.
 */
public final class BatchJobs implements AutoCloseable {

    private final Map<String, ProviderBatches> providers = new LinkedHashMap<>();
    private final BooleanSupplier stopping;

    /**
     * @param stateDir   outbox/.state: job records go to batch-jobs/&lt;provider&gt;/ under it
     * @param tempDir    where result images wait until they are stored
     * @param stopping   true once the run is stopping: waiting items leave their jobs (the jobs stay recorded)
     */
    public BatchJobs(List<ProviderSettings> batchProviders, Path stateDir, Path tempDir, Duration connectTimeout, Duration timeout,
                     Clock clock, BooleanSupplier stopping) {
        this.stopping = stopping;
        for (ProviderSettings provider : batchProviders) {
            BatchWire wire = new BatchWire(provider, connectTimeout, timeout, tempDir);
            JobRecords records = new JobRecords(stateDir.resolve("batch-jobs").resolve(provider.name()));
            ProviderBatches batches = new ProviderBatches(provider, wire, records, clock, tempDir);
            providers.put(provider.name(), batches);
            batches.start();
        }
    }

    /** Puts the exchange's item into a job (or finds it in a job in flight) and answers its decoded response. */
    public DecodedResponse submit(Exchange exchange) throws InterruptedException, ExecutionException {
        WorkItem item = ItemExchange.item(exchange);
        ProviderBatches batches = providers.get(item.getProvider());
        if (batches == null) {
            throw new IllegalStateException("Provider " + item.getProvider() + " is not in Batch API mode");
        }
        JobTicket ticket = batches.enqueue(item.getRequestKey(), item.getRequest(), item.getWireModel(),
                () -> item.getStatus() != WorkItem.Status.WORKING);
        while (true) {
            try {
                JobResult result = ticket.result.get(250, TimeUnit.MILLISECONDS);
                item.answeredByBatchJob(result.jobName());
                if (result.response().outcome() == Outcome.ERROR_IN_BODY && batches.itemErrorsInteractive()) {
                    // a retry (if the error allows one) goes to the next provider in failover order
                    item.skipProvider(item.getProvider());
                }
                return result.response();
            } catch (TimeoutException e) {
                if (stopping.getAsBoolean()) {
                    batches.withdraw(ticket);
                    OpenJob job = ticket.job;
                    throw new JobEndedException("stopped", "the run stopped while the item waited"
                            + (job == null ? " for a batch job; it is sent next time"
                            : " in " + job.label() + "; the next run polls that job instead of sending it again"));
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof JobEndedException ended) {
                    throw ended;
                }
                throw e;
            }
        }
    }

    /** Every job in flight or finished and not yet forgotten, for progress, report, status and metrics. */
    public List<BatchJobView> jobs() {
        List<BatchJobView> all = new ArrayList<>();
        providers.values().forEach(batches -> all.addAll(batches.jobs()));
        return all;
    }

    @Override
    public void close() {
        providers.values().forEach(ProviderBatches::close);
    }
}
