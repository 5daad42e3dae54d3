package io.github.geminiimagebatch.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.geminiimagebatch.pipeline.BatchRun;
import io.github.geminiimagebatch.pipeline.Progress;
import io.github.geminiimagebatch.pipeline.RunState;
import io.github.geminiimagebatch.pipeline.WorkItem;
import io.github.geminiimagebatch.provider.ProviderRuntime;
import io.github.geminiimagebatch.provider.ProviderState;
import io.github.geminiimagebatch.secret.Secrets;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The documents of {@code GET /api/status} and {@code GET /api/batches/<n>/items}: built from the run,
 * the progress estimates and the status board at one instant. Every user text in them (prompts, ids,
 * messages) is data for the page to show as text; credentials are masked.
 */
public final class StatusJson {

    /** The largest gallery page a client may ask for. */
    static final int MAX_PAGE = 200;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RunState run;
    private final Progress progress;
    private final StatusBoard board;
    private final boolean once;

    public StatusJson(RunState run, Progress progress, StatusBoard board, boolean once) {
        this.run = run;
        this.progress = progress;
        this.board = board;
        this.once = once;
    }

    public ObjectNode status(Instant now) {
        ObjectNode root = JSON.createObjectNode();
        root.put("now", now.toString());
        double perMinute = progress.imagesPerMinute(now);
        root.set("run", runTotals(now, perMinute));
        root.set("providers", providers(now));
        root.set("batches", batches(now, perMinute));
        root.set("series", series());
        return root;
    }

    private ObjectNode runTotals(Instant now, double perMinute) {
        ObjectNode r = JSON.createObjectNode();
        r.put("mode", once ? "once" : "service");
        r.put("startedAt", run.startedAt().toString());
        r.put("total", run.queued());
        r.put("ok", run.count(WorkItem.Status.OK));
        r.put("skipped", run.count(WorkItem.Status.SKIPPED));
        r.put("failed", run.count(WorkItem.Status.FAILED));
        r.put("pending", run.count(WorkItem.Status.PENDING));
        long open = run.unsettled();
        r.put("toGo", open);
        r.put("imagesPerMinute", round(perMinute, 1));
        r.put("eta", open == 0 ? null : progress.eta(open, perMinute, now));
        r.put("costUsd", round(run.costUsd(), 4));
        r.put("activeBatches", run.activeBatches());
        String problem = run.outputProblem();
        r.put("outputProblem", problem == null ? null : Secrets.redact(problem));
        return r;
    }

    private ArrayNode providers(Instant now) {
        ArrayNode list = JSON.createArrayNode();
        for (ProviderRuntime p : run.providers()) {
            ProviderState state = p.state(now);
            StatusBoard.ProviderCounts counts = board.counts(p.name());
            ObjectNode n = list.addObject();
            n.put("name", p.name());
            n.put("type", p.settings().type().id());
            n.put("state", state.kind() == ProviderState.Kind.OPEN ? "pacing" : state.kind().id());
            n.put("until", state.until() == null || state.until().equals(Instant.MAX) ? null : state.until().toString());
            n.put("reason", state.reason() == null ? null : Secrets.redact(state.reason()));
            n.put("inFlight", p.inFlight());
            n.put("calls", counts.calls.sum());
            n.put("images", counts.images.sum());
            n.put("retries", counts.retries.sum());
            ObjectNode throttles = n.putObject("throttles");
            long total = 0;
            for (Map.Entry<String, Long> e : counts.throttlesByKind().entrySet()) {
                throttles.put(e.getKey(), e.getValue());
                total += e.getValue();
            }
            n.put("throttlesTotal", total);
            n.put("costUsd", round(counts.costUsd.sum(), 4));
        }
        return list;
    }

    /** Each batch's counts; its ETA counts the open items of the batches opened before it too (they go first). */
    private ArrayNode batches(Instant now, double perMinute) {
        ArrayNode list = JSON.createArrayNode();
        long openBefore = 0;
        for (Map.Entry<Integer, BatchRun> numbered : board.batches().entrySet()) {
            BatchRun batch = numbered.getValue();
            Map<WorkItem.Status, Long> counts = counts(batch);
            long working = counts.get(WorkItem.Status.WORKING);
            ObjectNode b = list.addObject();
            b.put("index", numbered.getKey());
            b.put("name", batch.getName());
            b.put("source", batch.getSource().getFileName().toString());
            b.put("startedAt", batch.getStartedAt().toString());
            b.put("total", batch.getItems().size());
            b.put("ok", counts.get(WorkItem.Status.OK));
            b.put("skipped", counts.get(WorkItem.Status.SKIPPED));
            b.put("failed", counts.get(WorkItem.Status.FAILED));
            b.put("pending", counts.get(WorkItem.Status.PENDING));
            b.put("toGo", working);
            b.put("state", working > 0 ? "running" : counts.get(WorkItem.Status.PENDING) > 0 ? "pending" : "complete");
            b.put("costUsd", round(batch.cost(), 4));
            openBefore += working;
            b.put("eta", working == 0 ? null : progress.eta(openBefore, perMinute, now));
        }
        return list;
    }

    private ObjectNode series() {
        ActivitySeries.Snapshot s = board.series();
        ObjectNode n = JSON.createObjectNode();
        n.put("start", s.start().toString());
        n.put("bucketSeconds", s.bucket().toSeconds());
        n.put("buckets", s.buckets());
        ObjectNode providers = n.putObject("providers");
        s.providers().forEach((name, series) -> {
            ObjectNode p = providers.putObject(name);
            ArrayNode images = p.putArray("images");
            series.images().forEach(images::add);
            ObjectNode throttles = p.putObject("throttles");
            series.throttles().forEach((kind, values) -> {
                ArrayNode a = throttles.putArray(kind);
                values.forEach(a::add);
            });
        });
        return n;
    }

    /** One page of a batch's items for the gallery; empty when there is no such batch. */
    public Optional<ObjectNode> items(int batchIndex, int offset, int limit) {
        Optional<BatchRun> found = board.batch(batchIndex);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        BatchRun batch = found.get();
        List<WorkItem> items = batch.getItems();
        int from = Math.max(0, Math.min(offset, items.size()));
        int to = Math.min(items.size(), from + Math.max(1, Math.min(limit, MAX_PAGE)));
        ObjectNode page = JSON.createObjectNode();
        page.put("batch", batchIndex);
        page.put("name", batch.getName());
        page.put("total", items.size());
        page.put("offset", from);
        ArrayNode list = page.putArray("items");
        for (WorkItem item : items.subList(from, to)) {
            ObjectNode n = list.addObject();
            n.put("id", item.getId());
            n.put("status", item.getStatus().name().toLowerCase(Locale.ROOT));
            n.put("prompt", Secrets.redact(item.getRequest().prompt()));
            n.put("line", item.getPrompt().line());
            String message = item.getMessage();
            n.put("message", message == null ? null : Secrets.redact(message));
            n.put("image", item.getStoredImage());
            n.put("provider", item.getStatus() == WorkItem.Status.OK ? item.getProvider() : null);
        }
        return Optional.of(page);
    }

    private static Map<WorkItem.Status, Long> counts(BatchRun batch) {
        Map<WorkItem.Status, Long> counts = new EnumMap<>(WorkItem.Status.class);
        for (WorkItem.Status s : WorkItem.Status.values()) {
            counts.put(s, 0L);
        }
        for (WorkItem item : batch.getItems()) {
            counts.merge(item.getStatus(), 1L, Long::sum);
        }
        return counts;
    }

    private static double round(double value, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(value * f) / f;
    }

    public static ObjectMapper mapper() {
        return JSON;
    }
}
