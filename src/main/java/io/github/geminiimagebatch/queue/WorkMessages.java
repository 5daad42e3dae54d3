package io.github.geminiimagebatch.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.geminiimagebatch.gemini.ImageRequest;
import io.github.geminiimagebatch.output.Outputs;
import io.github.geminiimagebatch.pipeline.BatchCounters;
import io.github.geminiimagebatch.pipeline.BatchRun;
import io.github.geminiimagebatch.pipeline.ItemExchange;
import io.github.geminiimagebatch.pipeline.ItemResult;
import io.github.geminiimagebatch.pipeline.RunState;
import io.github.geminiimagebatch.pipeline.WorkItem;
import io.github.geminiimagebatch.prompt.PromptItem;
import io.github.geminiimagebatch.prompt.RequestKey;
import io.github.geminiimagebatch.secret.Secrets;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages between instances: an item on the work queue (JSON, with the batch, the item and the
 * instance that owns the batch in headers too), and the result a worker sends back to that owner.
 */
public final class WorkMessages {

    public static final String BATCH = "GeminiImageBatch";
    public static final String ITEM = "GeminiImageItemId";
    public static final String OWNER = "GeminiImageOwner";
    public static final String RUN = "GeminiImageRun";
    public static final String FAILURE = "GeminiImageFailure";

    private static final String RECEIVED = "workMessage";
    private static final String DELIVERIES = "JMSXDeliveryCount";

    /** The work message as it came, and whom its result goes to (which item of which batch run it was). */
    private record Received(String text, Integer deliveries, String owner, String run, String batch, String id) {

        void addressTo(Message message) {
            message.setHeader(OWNER, owner);
            message.setHeader(RUN, run);
            message.setHeader(BATCH, batch);
            message.setHeader(ITEM, id);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(WorkMessages.class);
    static final ObjectMapper JSON = new ObjectMapper();

    private final RunState run;
    private final Outputs outputs;
    private final OpenBatches openBatches;
    private final int maxDeliveries;

    public WorkMessages(RunState run, Outputs outputs, OpenBatches openBatches, int maxDeliveries) {
        this.run = run;
        this.outputs = outputs;
        this.openBatches = openBatches;
        this.maxDeliveries = maxDeliveries;
    }

    /** Owner side: the split's item becomes a work message; its batch waits for the results. */
    public void toMessage(Exchange exchange) {
        WorkItem item = exchange.getMessage().getBody(WorkItem.class);
        String runId = openBatches.expect(item.getBatch());
        ImageRequest request = item.getRequest();
        ObjectNode body = JSON.createObjectNode();
        body.put("owner", run.instance());
        body.put("run", runId);
        body.put("batch", item.getBatch().getName());
        body.put("id", item.getId());
        body.put("line", item.getPrompt().line());
        body.put("prompt", request.prompt());
        body.put("model", request.model());
        body.put("aspectRatio", request.aspectRatio());
        body.put("imageSize", request.imageSize());
        ArrayNode refs = body.putArray("referenceImages");
        request.referenceImages().forEach(p -> refs.add(p.toAbsolutePath().toString()));
        body.put("requestKey", item.getRequestKey());
        Message message = exchange.getMessage();
        message.setBody(body.toString());
        message.setHeader(BATCH, item.getBatch().getName());
        message.setHeader(ITEM, item.getId());
        message.setHeader(OWNER, run.instance());
        message.setHeader(RUN, runId);
    }

    /**
     * Worker side: the work message becomes an item of a one-item batch (its counters travel back with the result).
     * A message that is not a usable work item is an error: it goes back to the queue and, after
     * {@code imagegen.work.maxDeliveries}, to the dead-letter queue.
     */
    public WorkItem fromMessage(Exchange exchange) throws IOException {
        Message message = exchange.getMessage();
        String text = message.getBody(String.class);
        // kept as it came: the item route replaces body and headers, and a dead letter carries the message as it was
        Integer deliveries = message.getHeader(DELIVERIES, Integer.class);
        exchange.setProperty(RECEIVED, new Received(text, deliveries, message.getHeader(OWNER, String.class),
                message.getHeader(RUN, String.class), message.getHeader(BATCH, String.class), message.getHeader(ITEM, String.class)));
        String where = message.getHeader(BATCH, "?", String.class) + "/" + message.getHeader(ITEM, "?", String.class);
        JsonNode body;
        try {
            body = JSON.readTree(text);
        } catch (IOException | RuntimeException e) {
            throw new WorkMessageException("the work message for " + where + " is not JSON (" + e.getMessage() + ")");
        }
        if (body == null || !body.isObject()) {
            throw new WorkMessageException("the work message for " + where + " is not a JSON object");
        }
        String owner = text(body, "owner", where);
        if (!QueueSettings.INSTANCE_NAME.matcher(owner).matches()) {
            throw new WorkMessageException("the work message for " + where + " names an owner that is not an instance name");
        }
        List<Path> refs = new ArrayList<>();
        body.path("referenceImages").forEach(r -> refs.add(Path.of(r.asText())));
        String model = text(body, "model", where);
        String prompt = text(body, "prompt", where);
        String aspectRatio = body.path("aspectRatio").asText(null);
        String imageSize = body.path("imageSize").asText(null);
        String key = text(body, "requestKey", where);
        String computed = RequestKey.ofFiles(model, prompt, aspectRatio, imageSize, refs);
        if (!computed.equals(key)) {
            throw new WorkMessageException("the work message for " + where + " carries a request key that does not match"
                    + " its prompt and settings (changed on the way, or an instance of another version sent it)");
        }
        String batchName = text(body, "batch", where);
        String id = text(body, "id", where);
        BatchRun batch = BatchRun.ownedElsewhere(batchName, run.clock().instant());
        outputs.prepareBatch(batchName);
        PromptItem promptItem = new PromptItem(id, body.path("line").asInt(0), prompt, aspectRatio, imageSize, model, refs, null, null);
        // the provider routes clear every header before their HTTP call: the way back is kept as a property
        exchange.setProperty(RECEIVED, new Received(text, deliveries, owner, text(body, "run", where), batchName, id));
        return new WorkItem(batch, promptItem, new ImageRequest(model, prompt, aspectRatio, imageSize, refs), key);
    }

    /**
     * Worker side: the settled item as a result for its owner. An item that was not stored (left pending: the
     * worker is stopping, its outputs failed, its quota or budget is used up) goes back to the queue instead,
     * for this or another instance to take again.
     */
    public String result(Exchange exchange) throws IOException {
        WorkItem item = ItemExchange.item(exchange);
        if (item.getStatus() == WorkItem.Status.PENDING || item.getStatus() == WorkItem.Status.WORKING) {
            throw new ItemNotStoredException(item + " was not stored on " + run.instance() + " (" + item.getReasonClass()
                    + ": " + item.getMessage() + "); it goes back to the queue");
        }
        Message message = exchange.getMessage();
        exchange.getProperty(RECEIVED, Received.class).addressTo(message);
        return resultBody(message, item.result(), item.getBatch().counters(), item.getRequestKey());
    }

    /** On the last delivery a failing item is given up: it goes to the dead-letter queue, and its owner hears it failed. */
    public boolean lastDelivery(Exchange exchange) {
        Received received = exchange.getProperty(RECEIVED, Received.class);
        Integer deliveries = received != null ? received.deliveries() : exchange.getMessage().getHeader(DELIVERIES, Integer.class);
        // a queue that does not count deliveries cannot redeliver a failing item a bounded number of times
        return deliveries == null || deliveries >= maxDeliveries;
    }

    /**
     * Turns the message back into the work message as it came, marked with why it died (header
     * {@code GeminiImageFailure}), and returns the failed result for the batch's owner.
     */
    public String deadLetter(Exchange exchange) throws IOException {
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Message message = exchange.getMessage();
        Received received = exchange.getProperty(RECEIVED, Received.class);
        if (received != null) {
            message.setBody(received.text());
            received.addressTo(message);
        }
        String where = message.getHeader(BATCH, "?", String.class) + "/" + message.getHeader(ITEM, "?", String.class);
        String reason = Secrets.redact(error == null ? "unknown error" : String.valueOf(error.getMessage()));
        String text = "given up after " + maxDeliveries + " deliveries: " + reason;
        message.setHeader(FAILURE, text);
        LOG.error("{}: {}. The message is in the dead-letter queue; the item fails.", where, text);
        ItemResult failed = new ItemResult(WorkItem.Status.FAILED, "dead_letter", text, null, null, null, run.instance(),
                0, 0, run.clock().instant());
        return resultBody(message, failed, new BatchCounters(java.util.Map.of(), 0, java.util.Map.of()), null);
    }

    /** A dead letter whose owner cannot be known (no usable headers) has nobody to report to. */
    public boolean hasOwner(Exchange exchange) {
        String owner = exchange.getMessage().getHeader(OWNER, String.class);
        return owner != null && QueueSettings.INSTANCE_NAME.matcher(owner).matches()
                && exchange.getMessage().getHeader(RUN) != null && exchange.getMessage().getHeader(ITEM) != null;
    }

    /** @param requestKey the request the worker made (the owner keeps a result only for its own request), null if unknown */
    private static String resultBody(Message message, ItemResult result, BatchCounters counters, String requestKey)
            throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("run", message.getHeader(RUN, String.class));
        body.put("batch", message.getHeader(BATCH, String.class));
        body.put("id", message.getHeader(ITEM, String.class));
        body.put("requestKey", requestKey);
        body.set("result", ResultJson.write(result));
        body.set("counters", JSON.valueToTree(counters));
        return JSON.writeValueAsString(body);
    }

    private static String text(JsonNode body, String field, String where) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new WorkMessageException("the work message for " + where + " has no '" + field + "'");
        }
        return value.asText();
    }

    /** A message on the work queue that no worker can use. */
    public static final class WorkMessageException extends IllegalArgumentException {
        WorkMessageException(String message) {
            super(message);
        }
    }

    /** An item a worker took but did not store: rolled back to the queue. */
    public static final class ItemNotStoredException extends IllegalStateException {
        ItemNotStoredException(String message) {
            super(message);
        }
    }
}
