package io.github.geminiimagebatch.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The owner's side of queue mode: the batches this instance read and sent to the work queue, waiting for
 * their results. The aggregator of routes/work-queue.camel.yaml correlates results by batch run and
 * applies each to its batch; a batch is complete when it is sealed (every item was sent) and every item
 * has settled, whichever instances did them. Then, once, its reports are written and its file moves on.
 *
 * <p>Each applied result is also appended to the run's {@link ResultJournal}: an owner that dies and starts again
 * reads the prompt file again (it stays in the inbox until the batch completes), takes the run's id and results
 * from the journal, sends only the items without a result, and accepts the results of the earlier run that were
 * still on its results queue.
 */
public final class OpenBatches implements AggregationStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(OpenBatches.class);

    /** Header of the marker the inbox route sends after the last item of a batch went to the queue. */
    public static final String SEALED = "GeminiImageBatchSealed";

    /**
     * A batch run waiting for results. {@code waiting}: results for items the split has not reached yet (from the
     * journal of an earlier life of this owner, or from its results queue), given to each item when it is reached,
     * by id. Guarded by the object's lock.
     */
    private static final class Open {
        final String runId;
        final BatchRun batch;
        final Map<String, JsonNode> waiting;
        final Set<String> reached = new HashSet<>();
        volatile boolean sealed;

        Open(String runId, BatchRun batch, Map<String, JsonNode> waiting) {
            this.runId = runId;
            this.batch = batch;
            this.waiting = waiting;
        }
    }

    private final Batches batches;
    private final ResultJournal journal;
    private final ConcurrentMap<String, Open> byRun = new ConcurrentHashMap<>();
    private final Map<BatchRun, String> runOf = new java.util.IdentityHashMap<>();

    /** @param stateDir the outbox's {@code .state} folder, where each run's results are recorded */
    public OpenBatches(Batches batches, Path stateDir) {
        this.batches = batches;
        this.journal = new ResultJournal(stateDir);
    }

    /**
     * The run id of this batch's trip through the queue, found the first time one of its items is sent: the run
     * this prompt file was on when this owner stopped before it completed, or a new one.
     */
    synchronized String expect(BatchRun batch) {
        String known = runOf.get(batch);
        if (known != null) {
            return known;
        }
        Optional<ResultJournal.Recovered> earlier = Optional.empty();
        try {
            earlier = journal.recover(batch.getName(), batch.getSource());
        } catch (IOException e) {
            LOG.warn("Batch {}: could not read the results of an earlier run ({}); every item is sent again"
                    + " (stored images are skipped).", batch.getName(), e.getMessage());
        }
        String runId = earlier.map(ResultJournal.Recovered::runId).orElseGet(() -> UUID.randomUUID().toString());
        if (earlier.isPresent()) {
            LOG.info("Batch {}: continuing its run from before this instance stopped; {} results were collected then",
                    batch.getName(), earlier.get().results().size());
        } else {
            try {
                journal.begin(runId, batch.getName(), batch.getSource());
            } catch (IOException e) {
                LOG.warn("Batch {}: could not record its results in {} ({}); if this instance stops before the batch"
                        + " completes, every item is sent again (stored images are skipped).", batch.getName(),
                        ResultJournal.DIRECTORY, e.getMessage());
            }
        }
        runOf.put(batch, runId);
        byRun.put(runId, new Open(runId, batch, new HashMap<>(earlier.map(ResultJournal.Recovered::results).orElse(Map.of()))));
        return runId;
    }

    /**
     * The split reached this item on its way to the work queue: true when its result is here already (collected by an
     * earlier life of this owner, for the same request key), which settles it; it is not sent again.
     */
    public boolean recovered(Exchange exchange) {
        WorkItem item = exchange.getMessage().getBody(WorkItem.class);
        Open open = byRun.get(expect(item.getBatch()));
        JsonNode result;
        synchronized (open) {
            open.reached.add(item.getId());
            result = open.waiting.remove(item.getId());
        }
        if (result == null || !result.path("requestKey").asText("").equals(item.getRequestKey())) {
            return false;
        }
        return batches.settledElsewhere(item.getBatch(), item.getId(), ResultJson.read(result.path("result")),
                counters(result.path("counters")));
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
            if (!reopened(runId, incoming)) {
                return incoming;
            }
            open = byRun.get(runId);
            if (open == null) {
                return incoming;
            }
        }
        if (Boolean.TRUE.equals(incoming.getMessage().getHeader(SEALED, Boolean.class))) {
            open.sealed = true;
            LOG.info("Batch {}: every item is on the work queue; {} still being made", open.batch.getName(),
                    open.batch.count(WorkItem.Status.WORKING));
            return incoming;
        }
        try {
            ObjectNode body = (ObjectNode) WorkMessages.JSON.readTree(incoming.getMessage().getBody(String.class));
            String id = body.path("id").asText();
            synchronized (open) {
                if (!open.reached.contains(id)) {
                    // a result of this run from before a restart, for an item the split has not reached again yet
                    open.waiting.putIfAbsent(id, body);
                    record(open, id, body);
                    return incoming;
                }
            }
            ItemResult result = ResultJson.read(body.path("result"));
            LOG.debug("Result for {}/{} from {}: {}", open.batch.getName(), id, result.instance(), result.status());
            if (batches.settledElsewhere(open.batch, id, result, counters(body.path("counters")))) {
                open.batch.item(id).ifPresent(item -> body.put("requestKey", item.getRequestKey()));
                record(open, id, body);
            } else {
                LOG.debug("Result for {}/{} delivered twice or unknown: ignored", open.batch.getName(), id);
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("Batch {}: a result message could not be read ({}); ignored. The item stays unsettled, so the batch"
                    + " waits; run the file again to finish it.", open.batch.getName(), e.getMessage());
        }
        return incoming;
    }

    private void record(Open open, String id, JsonNode result) {
        try {
            journal.record(open.runId, result);
        } catch (IOException e) {
            LOG.warn("Batch {}: could not record the result of {} ({}); after a restart it is asked for again.",
                    open.batch.getName(), id, e.getMessage());
        }
    }

    /**
     * A result for a run this instance does not hold. After a restart, results of the run it was on may arrive before
     * it reads the prompt file again: they are added to the run's journal for then. Others are ignored. True when the
     * run was opened meanwhile (the result is then applied as usual).
     */
    private synchronized boolean reopened(String runId, Exchange incoming) {
        if (byRun.containsKey(runId)) {
            return true;
        }
        try {
            if (journal.record(runId, WorkMessages.JSON.readTree(incoming.getMessage().getBody(String.class)))) {
                LOG.debug("A result for batch run {} from before a restart: kept until its prompt file is read again", runId);
                return false;
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("A result for batch run {} could not be kept: {}", runId, e.getMessage());
        }
        LOG.debug("A result for batch run {} that this instance no longer waits for: ignored", runId);
        return false;
    }

    /** Aggregator's completion: sealed and nothing left working, or a run this instance does not know. */
    public boolean complete(Exchange exchange) {
        Open open = byRun.get(exchange.getMessage().getHeader(WorkMessages.RUN, String.class));
        return open == null || open.sealed && open.batch.count(WorkItem.Status.WORKING) == 0;
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
            runOf.remove(open.batch);
        }
        batches.close(open.batch);
        if (!Files.exists(open.batch.getSource())) {
            // complete and moved to .done/: its results are in the manifest now (a file left in the inbox keeps its run)
            journal.end(runId);
        }
        ItemExchange.batch(exchange, open.batch);
        exchange.getMessage().setHeader(Exchange.FILE_PATH, open.batch.getSource().toString());
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
