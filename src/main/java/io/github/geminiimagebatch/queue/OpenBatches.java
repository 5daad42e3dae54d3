package io.github.geminiimagebatch.queue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.geminiimagebatch.pipeline.BatchCounters;
import io.github.geminiimagebatch.pipeline.BatchRun;
import io.github.geminiimagebatch.pipeline.Batches;
import io.github.geminiimagebatch.pipeline.ItemExchange;
import io.github.geminiimagebatch.pipeline.ItemResult;
import io.github.geminiimagebatch.pipeline.WorkItem;
import io.github.geminiimagebatch.quota.ThrottleKind;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The owner's side of queue mode: the batches this instance read and sent to the work queue, waiting for
 * their results. The aggregator of routes/work-queue.camel.yaml correlates results by batch run and
 * applies each to its batch; a batch is complete when it is sealed (every item was sent) and every item
 * has settled, whichever instances did them. Then, once, its reports are written and its file moves on.
 */
public final class OpenBatches implements AggregationStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(OpenBatches.class);

    /** Header of the marker the inbox route sends after the last item of a batch went to the queue. */
    public static final String SEALED = "GeminiImageBatchSealed";

    private record Open(String runId, BatchRun batch, boolean sealed) {
    }

    private final Batches batches;
    private final ConcurrentMap<String, Open> byRun = new ConcurrentHashMap<>();
    private final Map<BatchRun, String> runOf = new java.util.IdentityHashMap<>();

    public OpenBatches(Batches batches) {
        this.batches = batches;
    }

    /** The run id of this batch's trip through the queue, made the first time one of its items is sent. */
    synchronized String expect(BatchRun batch) {
        return runOf.computeIfAbsent(batch, b -> {
            String runId = UUID.randomUUID().toString();
            byRun.put(runId, new Open(runId, b, false));
            return runId;
        });
    }

    /** The inbox route is done sending this batch: sets the headers of its sealed marker (none when nothing was sent). */
    public synchronized boolean seal(Exchange exchange) {
        BatchRun batch = ItemExchange.batch(exchange);
        String runId = batch == null ? null : runOf.get(batch);
        if (batch != null && runId == null) {
            // every item settled without a worker (all invalid): nothing to wait for
            runId = expect(batch);
        }
        if (runId == null) {
            return false;
        }
        exchange.getMessage().setHeader(WorkMessages.RUN, runId);
        exchange.getMessage().setHeader(SEALED, true);
        return true;
    }

    /** Aggregator: applies a result (or the sealed marker) to its batch. The group's state is the batch itself. */
    @Override
    public Exchange aggregate(Exchange previous, Exchange incoming) {
        String runId = incoming.getMessage().getHeader(WorkMessages.RUN, String.class);
        Open open = byRun.get(runId);
        if (open == null) {
            LOG.debug("A result for batch run {} that this instance no longer waits for: ignored", runId);
            return incoming;
        }
        if (Boolean.TRUE.equals(incoming.getMessage().getHeader(SEALED, Boolean.class))) {
            byRun.put(runId, new Open(runId, open.batch(), true));
            LOG.info("Batch {}: every item is on the work queue; {} still being made", open.batch().getName(),
                    open.batch().count(WorkItem.Status.WORKING));
            return incoming;
        }
        try {
            JsonNode body = WorkMessages.JSON.readTree(incoming.getMessage().getBody(String.class));
            ItemResult result = ResultJson.read(body.path("result"));
            LOG.debug("Result for {}/{} from {}: {}", open.batch().getName(), body.path("id").asText(), result.instance(),
                    result.status());
            if (!batches.settledElsewhere(open.batch(), body.path("id").asText(), result, counters(body.path("counters")))) {
                LOG.debug("Result for {}/{} delivered twice or unknown: ignored", open.batch().getName(), body.path("id").asText());
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("Batch {}: a result message could not be read ({}); ignored. The item stays unsettled, so the batch"
                    + " waits; run the file again to finish it.", open.batch().getName(), e.getMessage());
        }
        return incoming;
    }

    /** Aggregator's completion: sealed and nothing left working, or a run this instance does not know. */
    public boolean complete(Exchange exchange) {
        Open open = byRun.get(exchange.getMessage().getHeader(WorkMessages.RUN, String.class));
        return open == null || open.sealed() && open.batch().count(WorkItem.Status.WORKING) == 0;
    }

    /**
     * The batch is complete: its reports, once. The exchange then names the batch and its prompt file, as the inbox
     * route's does, for what follows a closed batch (pendingRetries.afterBatch).
     */
    public void close(Exchange exchange) throws IOException {
        String runId = exchange.getMessage().getHeader(WorkMessages.RUN, String.class);
        Open open = byRun.remove(runId);
        if (open == null) {
            return;
        }
        synchronized (this) {
            runOf.remove(open.batch());
        }
        batches.close(open.batch());
        ItemExchange.batch(exchange, open.batch());
        exchange.getMessage().setHeader(Exchange.FILE_PATH, open.batch().getSource().toString());
    }

    private static BatchCounters counters(JsonNode node) {
        Map<ThrottleKind, Integer> throttles = new EnumMap<>(ThrottleKind.class);
        node.path("throttles").fields().forEachRemaining(e -> throttles.put(ThrottleKind.valueOf(e.getKey()), e.getValue().asInt()));
        Map<String, int[]> calls = new TreeMap<>();
        node.path("calls").fields().forEachRemaining(e -> {
            int[] c = new int[4];
            for (int i = 0; i < c.length; i++) {
                c[i] = e.getValue().path(i).asInt(0);
            }
            calls.put(e.getKey(), c);
        });
        return new BatchCounters(throttles, node.path("retries").asInt(0), calls);
    }
}
