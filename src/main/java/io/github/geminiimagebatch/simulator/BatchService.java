package io.github.geminiimagebatch.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.github.geminiimagebatch.model.ModelCatalog;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Google's Batch API and the parts of the Files API it needs: create (inline requests or an uploaded JSONL
 * file), get, list, cancel and delete jobs, resumable uploads and result downloads. A job is PENDING for the
 * first half of the turnaround and RUNNING for the second; then it ends SUCCEEDED, or FAILED / EXPIRED when a
 * {@code --batch-faults} draw says so. Each request's outcome follows the same {@code [sim:...]} markers and
 * fault rates as interactive calls, decided when the job ends. Results are inline for inline input and a
 * JSONL file (in an order other than the input's, as Google does not promise it) for file input.
 */
final class BatchService {

    private static final Pattern CREATE_PATH = Pattern.compile("/(?:v1beta|v1alpha)/models/([^/:]+):batchGenerateContent");
    private static final Pattern JOB_PATH = Pattern.compile("/(?:v1beta|v1alpha)/batches/([A-Za-z0-9_-]+)(:cancel)?");
    private static final Pattern LIST_PATH = Pattern.compile("/(?:v1beta|v1alpha)/batches");
    private static final Pattern UPLOAD_PATH = Pattern.compile("/upload/(?:v1beta|v1alpha)/files");
    private static final Pattern DOWNLOAD_PATH = Pattern.compile("(?:/download)?/(?:v1beta|v1alpha)/files/([A-Za-z0-9_-]+):download");
    private static final int DEFAULT_PAGE_SIZE = 50;
    private static final int MAX_PAGE_SIZE = 1000;

    private final SimulatorOptions options;
    private final ObjectMapper json;
    private final ResponseWriter writer;
    private final AnswerBodies answers;
    private final FaultPlan faults;
    private final Function<HttpExchange, Optional<ObjectNode>> authFailure;
    private final Random jobFaultDraws;
    private final Map<String, BatchJob> jobs = new LinkedHashMap<>();
    private final UploadedFiles files;
    private final BatchOperations operations;
    private final AtomicLong ids = new AtomicLong();
    private final LongAdder created = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder imagesBilled = new LongAdder();

    BatchService(SimulatorOptions options, ObjectMapper json, ResponseWriter writer, AnswerBodies answers, FaultPlan faults,
                 Function<HttpExchange, Optional<ObjectNode>> authFailure) {
        this.options = options;
        this.json = json;
        this.writer = writer;
        this.answers = answers;
        this.faults = faults;
        this.authFailure = authFailure;
        this.jobFaultDraws = new Random(options.seed());
        this.files = new UploadedFiles(options, json, writer, authFailure);
        this.operations = new BatchOperations(options, json, answers);
    }

    /** The endpoint a path belongs to, if this service serves it. */
    static Optional<Endpoint> endpointFor(String path) {
        if (CREATE_PATH.matcher(path).matches() || JOB_PATH.matcher(path).matches() || LIST_PATH.matcher(path).matches()) {
            return Optional.of(Endpoint.BATCH);
        }
        if (UPLOAD_PATH.matcher(path).matches() || DOWNLOAD_PATH.matcher(path).matches()) {
            return Optional.of(Endpoint.FILES);
        }
        return Optional.empty();
    }

    void serve(HttpExchange exchange, String method, String path, URI baseUri) throws IOException {
        if (UPLOAD_PATH.matcher(path).matches() && "POST".equals(method)) {
            files.serve(exchange, baseUri);
            return;
        }
        byte[] body = HttpRequests.readBody(exchange);
        Optional<ObjectNode> refused = authFailure.apply(exchange);
        if (refused.isPresent()) {
            writer.json(exchange, refused.get().get("error").get("code").asInt(), refused.get());
            return;
        }
        Matcher create = CREATE_PATH.matcher(path);
        Matcher job = JOB_PATH.matcher(path);
        Matcher download = DOWNLOAD_PATH.matcher(path);
        if (create.matches() && "POST".equals(method)) {
            serveCreate(exchange, create.group(1), body);
        } else if (LIST_PATH.matcher(path).matches() && "GET".equals(method)) {
            serveList(exchange);
        } else if (job.matches() && job.group(2) != null && "POST".equals(method)) {
            serveCancel(exchange, job.group(1));
        } else if (job.matches() && job.group(2) == null && "GET".equals(method)) {
            serveGet(exchange, job.group(1));
        } else if (job.matches() && job.group(2) == null && "DELETE".equals(method)) {
            serveDelete(exchange, job.group(1));
        } else if (download.matches() && "GET".equals(method)) {
            serveDownload(exchange, download.group(1));
        } else {
            writer.json(exchange, 404, GoogleErrors.notFound("Method " + method + " is not served at " + path + "."));
        }
    }

    /** batches: {created, byState, requests, imagesBilled} and filesUploaded, for /sim/stats. */
    void addStats(ObjectNode root) {
        ObjectNode batches = root.putObject("batches");
        batches.put("created", created.sum());
        ObjectNode byState = batches.putObject("byState");
        Map<BatchState, Integer> counts = new LinkedHashMap<>();
        for (BatchState state : BatchState.values()) {
            counts.put(state, 0);
        }
        synchronized (this) {
            Instant now = options.clock().instant();
            for (BatchJob job : jobs.values()) {
                refresh(job, now);
                counts.merge(job.state, 1, Integer::sum);
            }
        }
        counts.forEach((state, count) -> byState.put(state.statsName(), count));
        batches.put("requests", requests.sum());
        batches.put("imagesBilled", imagesBilled.sum());
        root.put("filesUploaded", files.uploadedCount());
    }

    synchronized void reset() {
        jobs.clear();
        files.reset();
        created.reset();
        requests.reset();
        imagesBilled.reset();
    }

    private void serveCreate(HttpExchange exchange, String pathModel, byte[] body) throws IOException {
        String model = ModelCatalog.normalise(pathModel);
        if (!options.models().contains(model)) {
            writer.json(exchange, 404, GoogleErrors.notFound("models/" + pathModel + " is not found for API version v1beta,"
                    + " or is not supported for batchGenerateContent."));
            return;
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            writer.json(exchange, 400, GoogleErrors.invalidArgument("Invalid JSON payload received."));
            return;
        }
        JsonNode batch = root == null ? json.missingNode() : field(root, "batch", "batch");
        JsonNode input = field(batch, "inputConfig", "input_config");
        String fileName = text(field(input, "fileName", "file_name"));
        JsonNode inline = field(field(input, "requests", "requests"), "requests", "requests");
        List<BatchJob.Item> items = new ArrayList<>();
        if (fileName != null) {
            byte[] file = files.get(fileName.startsWith("files/") ? fileName.substring("files/".length()) : fileName);
            if (file == null) {
                writer.json(exchange, 404, GoogleErrors.notFound("File " + fileName + " was not found; upload it first."));
                return;
            }
            try {
                readFileItems(file, model, items);
            } catch (JsonProcessingException e) {
                writer.json(exchange, 400, GoogleErrors.invalidArgument("The input file " + fileName + " has a line that is not JSON (line "
                        + (items.size() + 1) + ")."));
                return;
            }
        } else if (inline.isArray()) {
            for (JsonNode entry : inline) {
                items.add(item(text(field(entry, "metadata", "metadata").path("key")), entry.path("request"), model));
            }
        } else {
            writer.json(exchange, 400, GoogleErrors.invalidArgument("* BatchGenerateContentRequest.batch.input_config: set requests or file_name\n"));
            return;
        }
        if (items.isEmpty()) {
            writer.json(exchange, 400, GoogleErrors.invalidArgument("* BatchGenerateContentRequest.batch.input_config: the batch has no requests\n"));
            return;
        }
        BatchJob job;
        synchronized (this) {
            Instant now = options.clock().instant();
            long enqueued = 0;
            for (BatchJob other : jobs.values()) {
                refresh(other, now);
                enqueued += other.state.terminal() ? 0 : other.items.size();
            }
            long limit = options.batchMaxEnqueued();
            if (limit != QuotaLimits.UNLIMITED && enqueued + items.size() > limit) {
                writer.json(exchange, 429, BatchOperations.enqueuedQuotaExceeded(model, limit, enqueued));
                return;
            }
            String id = "sim" + Long.toString(now.toEpochMilli(), 36) + Long.toString(ids.incrementAndGet(), 36);
            job = new BatchJob(id, text(field(batch, "displayName", "display_name")), model, now, List.copyOf(items), fileName == null,
                    drawJobFault());
            jobs.put(id, job);
            created.increment();
            requests.add(items.size());
        }
        writer.json(exchange, 200, operations.operation(job, false).template());
    }

    private void readFileItems(byte[] file, String model, List<BatchJob.Item> items) throws IOException {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(file), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (!line.isBlank()) {
                    JsonNode entry = json.readTree(line);
                    items.add(item(text(entry.path("key")), entry.path("request"), model));
                }
            }
        }
    }

    private BatchJob.Item item(String key, JsonNode request, String model) {
        try {
            return new BatchJob.Item(key, GenerationRequest.fromGemini(request, model), null);
        } catch (GenerationRequest.Rejection rejection) {
            return new BatchJob.Item(key, null, BatchOperations.rpcStatus(GoogleErrors.error(rejection.httpStatus, rejection.status, rejection.getMessage())));
        }
    }

    private synchronized BatchJobFault drawJobFault() {
        double roll = jobFaultDraws.nextDouble();
        double cumulative = 0;
        for (Map.Entry<BatchJobFault, Double> rate : options.batchFaultRates().entrySet()) {
            cumulative += rate.getValue();
            if (roll < cumulative) {
                return rate.getKey();
            }
        }
        return null;
    }

    private void serveGet(HttpExchange exchange, String id) throws IOException {
        BatchJob job = refreshed(id);
        if (job == null) {
            writer.json(exchange, 404, BatchOperations.notFound());
            return;
        }
        ResponseWriter.Templated operation = operations.operation(job, true);
        writer.withImages(exchange, operation.template(), operation.images());
    }

    private void serveList(HttpExchange exchange) throws IOException {
        Map<String, String> query = HttpRequests.query(exchange);
        int pageSize = DEFAULT_PAGE_SIZE;
        int from = 0;
        try {
            if (query.containsKey("pageSize")) {
                pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, Integer.parseInt(query.get("pageSize"))));
            }
            if (query.containsKey("pageToken") && !query.get("pageToken").isEmpty()) {
                from = Integer.parseInt(query.get("pageToken"));
            }
        } catch (NumberFormatException e) {
            writer.json(exchange, 400, GoogleErrors.invalidArgument("pageSize and pageToken must be numbers."));
            return;
        }
        List<BatchJob> page;
        boolean more;
        synchronized (this) {
            Instant now = options.clock().instant();
            List<BatchJob> all = new ArrayList<>(jobs.values());
            Collections.reverse(all);
            all.forEach(job -> refresh(job, now));
            page = all.subList(Math.min(from, all.size()), Math.min(from + pageSize, all.size()));
            page = List.copyOf(page);
            more = from + pageSize < all.size();
        }
        ObjectNode body = json.createObjectNode();
        ArrayNode listed = body.putArray("operations");
        page.forEach(job -> listed.add(operations.operation(job, false).template()));
        if (more) {
            body.put("nextPageToken", Integer.toString(from + pageSize));
        }
        writer.json(exchange, 200, body);
    }

    private void serveCancel(HttpExchange exchange, String id) throws IOException {
        synchronized (this) {
            BatchJob job = refreshed(id);
            if (job == null) {
                writer.json(exchange, 404, BatchOperations.notFound());
                return;
            }
            if (!job.state.terminal()) {
                job.state = BatchState.CANCELLED;
                job.ended = options.clock().instant();
            }
        }
        writer.json(exchange, 200, json.createObjectNode());
    }

    private void serveDelete(HttpExchange exchange, String id) throws IOException {
        BatchJob removed;
        synchronized (this) {
            removed = jobs.remove(id);
        }
        writer.json(exchange, removed == null ? 404 : 200, removed == null ? BatchOperations.notFound() : json.createObjectNode());
    }

    private void serveDownload(HttpExchange exchange, String fileId) throws IOException {
        if (fileId.startsWith(BatchOperations.RESULTS_PREFIX)) {
            BatchJob job = refreshed(fileId.substring(BatchOperations.RESULTS_PREFIX.length()));
            if (job == null || job.inlineInput || job.state != BatchState.SUCCEEDED) {
                writer.json(exchange, 404, GoogleErrors.notFound("File files/" + fileId + " was not found."));
                return;
            }
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < job.items.size(); i++) {
                order.add(i);
            }
            // Google does not keep the input order in results files: callers must match lines by key.
            Collections.shuffle(order, new Random(job.id.hashCode()));
            List<ResponseWriter.Templated> lines = new ArrayList<>();
            for (int i : order) {
                ObjectNode line = json.createObjectNode();
                if (job.items.get(i).key() != null) {
                    line.put("key", job.items.get(i).key());
                }
                lines.add(operations.result(job.items.get(i), job.outcomes.get(i), line, 0));
            }
            writer.jsonLines(exchange, "application/octet-stream", lines);
            return;
        }
        byte[] file = files.get(fileId);
        if (file == null) {
            writer.json(exchange, 404, GoogleErrors.notFound("File files/" + fileId + " was not found."));
            return;
        }
        writer.bytes(exchange, 200, "application/octet-stream", file);
    }

    private synchronized BatchJob refreshed(String id) {
        BatchJob job = jobs.get(id);
        if (job != null) {
            refresh(job, options.clock().instant());
        }
        return job;
    }

    /** Moves a job along its timeline; when it succeeds, every request's outcome is decided and billed once. */
    private void refresh(BatchJob job, Instant now) {
        if (job.state.terminal()) {
            return;
        }
        Duration turnaround = options.batchTurnaround();
        Instant ends = job.created.plus(turnaround);
        if (now.isBefore(ends)) {
            job.state = now.isBefore(job.created.plus(turnaround.dividedBy(2))) ? BatchState.PENDING : BatchState.RUNNING;
            return;
        }
        job.ended = ends;
        if (job.fault != null) {
            job.state = job.fault.endState();
            return;
        }
        List<FaultKind> outcomes = new ArrayList<>(job.items.size());
        for (BatchJob.Item item : job.items) {
            FaultKind fault = null;
            if (item.request() != null) {
                fault = faults.upFrontFault(item.request().prompt()).or(() -> faults.decide(item.request().prompt())).orElse(null);
                if (fault == null) {
                    imagesBilled.increment();
                }
            }
            outcomes.add(fault);
        }
        job.outcomes = outcomes;
        job.state = BatchState.SUCCEEDED;
    }

    private static JsonNode field(JsonNode node, String camelName, String snakeName) {
        JsonNode value = node.path(camelName);
        return value.isMissingNode() ? node.path(snakeName) : value;
    }

    static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : null;
    }
}
